/* Text put into error messages: repairing cut UTF-8, quoting cells of input
 * (see errtext.h). Used on error paths only, so written for clarity. */
#include "errtext.h"

#include "redact_internal.h"
#include "redact_shapes.h"
#include "utf8_internal.h"
#include "followup/redact.h"

#include <stdio.h>
#include <string.h>

/* Whether s[0..n) (n >= 1, s[0] not a well-formed start) is the start of a
 * multi-byte sequence cut short: a lead byte followed only by fitting
 * continuation bytes, fewer than it needs, up to the end or a byte that
 * cannot continue it. Its length in *k. */
static int cut_sequence(const unsigned char *s, size_t n, size_t *k) {
    unsigned c = s[0];
    size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    size_t j = 1;
    if (!need) return 0;
    while (j < n && j < need && (s[j] & 0xC0) == 0x80) j++;
    if (j == need) return 0; /* complete but ill-formed (overlong, surrogate) */
    /* a lone lead byte at the very end, or one whose next byte is no
     * continuation byte, is a cut too: what "%.Ns" leaves */
    *k = j;
    return 1;
}

/* The escape of a control character at c (k bytes: C0, DEL, C1) in esc
 * (its length in *m): \n \r \t, \xHH, \u00HH for C1. 0 for any other. */
static int control_escape(const unsigned char *c, size_t k, char esc[8], size_t *m) {
    int w;
    if (k == 1 && c[0] == '\n') w = snprintf(esc, 8, "\\n");
    else if (k == 1 && c[0] == '\r') w = snprintf(esc, 8, "\\r");
    else if (k == 1 && c[0] == '\t') w = snprintf(esc, 8, "\\t");
    else if (k == 1 && (c[0] < 0x20 || c[0] == 0x7F)) w = snprintf(esc, 8, "\\x%02X", (unsigned)c[0]);
    else if (k == 2 && c[0] == 0xC2 && c[1] < 0xA0) w = snprintf(esc, 8, "\\u%04X", (unsigned)c[1]);
    else return 0;
    *m = (size_t)w;
    return 1;
}

size_t fu__errtext_repair(char *dst, size_t cap, const char *src, int cut) {
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    size_t n = strlen((const char *)s), i = 0, o = 0;
    /* a buffer too small for an ellipsis gets whole characters only */
    const size_t ell = cap > sizeof FU_ERRTEXT_ELLIPSIS ? sizeof FU_ERRTEXT_ELLIPSIS - 1 : 0;
    if (!cap) return 0;
    char esc[8];
    while (i < n) {
        size_t k = fu__utf8_seq_len(s + i, n - i), ck = 0;
        const char *put = (const char *)s + i;
        size_t put_len = k;
        if (k && control_escape(s + i, k, esc, &put_len)) {
            put = esc; /* a control character: written as an escape, never raw */
        } else if (!k) {
            int was_cut = cut_sequence(s + i, n - i, &ck);
            put = was_cut ? FU_ERRTEXT_ELLIPSIS : "\xEF\xBF\xBD";
            put_len = 3;
            k = was_cut ? ck : 1;
        }
        if (put_len > cap - 1 - o) {
            cut = 1;
            break;
        }
        memcpy(dst + o, put, put_len);
        o += put_len;
        i += k;
    }
    if (cut && ell) {
        /* the text was cut: end with one ellipsis, at a character boundary */
        int has = o >= ell && memcmp(dst + o - ell, FU_ERRTEXT_ELLIPSIS, ell) == 0;
        if (!has) {
            while (o + ell > cap - 1) {
                do o--; while (o > 0 && ((unsigned char)dst[o] & 0xC0) == 0x80);
            }
            memcpy(dst + o, FU_ERRTEXT_ELLIPSIS, ell);
            o += ell;
        }
    }
    dst[o] = '\0';
    return o;
}

size_t fu__errtext_cut(char *dst, size_t cap, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (!cap) return 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--; /* src[n] starts a character */
    }
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

/* ------------------------------------------------------------ cells */

/* The digit at s (n bytes left): 0..9 for an ASCII or full-width digit (its
 * byte length in *k), -1 otherwise. */
static int digit_at(const unsigned char *s, size_t n, size_t *k) {
    if (s[0] >= '0' && s[0] <= '9') {
        *k = 1;
        return s[0] - '0';
    }
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99) {
        *k = 3;
        return s[2] - 0x90;
    }
    return -1;
}

static int ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Whether s[0..n) starts with the k bytes of t. */
static int starts(const unsigned char *s, size_t n, const char *t, size_t k) { return n >= k && !memcmp(s, t, k); }

/* The code point of the well-formed k-byte sequence at s. */
static unsigned long code_point(const unsigned char *s, size_t k) {
    if (k == 1) return s[0];
    unsigned long c = s[0] & (0x7F >> k);
    for (size_t j = 1; j < k; j++) c = c << 6 | (s[j] & 0x3F);
    return c;
}

/* How the redactor reads the character at s (its bytes in *k) between
 * digits (docs/redaction.md, "Normalising what people type"): ' ' a space
 * (ASCII space or tab, U+00A0, U+2000-U+200A, U+202F, U+205F, U+3000), '-'
 * a mark (a dash, a dot, a line break), 'z' nothing (a zero-width
 * character), 0 anything else. */
static int sep_class(const unsigned char *s, size_t n, size_t *k) {
    if (s[0] == '\r') { /* CR or CRLF: a line break */
        *k = n >= 2 && s[1] == '\n' ? 2 : 1;
        return '-';
    }
    *k = fu__utf8_seq_len(s, n);
    if (!*k) return 0;
    unsigned long c = code_point(s, *k);
    if (c == ' ' || c == '\t' || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
        c == 0x3000)
        return ' ';
    if ((c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF) return 'z';
    if (c == '-' || c == '.' || c == '\n' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 ||
        c == 0xFE58 || c == 0xFE63 || c == 0x30FC || c == 0xFF0D || c == 0xFF0E || c == 0xB7 || c == 0x2024 ||
        c == 0x2027 || c == 0x30FB || c == 0x2028 || c == 0x2029 || c == 0x85)
        return '-';
    return 0;
}

/* An opening (open) or closing parenthesis, ASCII or full-width. */
static size_t paren_at(const unsigned char *s, size_t n, int open) {
    if (s[0] == (open ? '(' : ')')) return 1;
    return starts(s, n, open ? "\xEF\xBC\x88" : "\xEF\xBC\x89", 3) ? 3 : 0;
}

/* The separator at s between two digit groups as the redactor reads one
 * (docs/redaction.md, "Normalising what people type"): 1-3 spaces, or one
 * mark with at most one space on either side; a ')' may close the group
 * before it and a '(' open the next one (+1 (415) 555-0134). Its bytes; 0
 * when none, or when no digit follows. */
static size_t separator_at(const unsigned char *s, size_t n) {
    size_t i = paren_at(s, n, 0), k = 0, spaces = 0;
    while (i < n && spaces < 3 && sep_class(s + i, n - i, &k) == ' ') i += k, spaces++;
    if (i < n && spaces <= 1 && sep_class(s + i, n - i, &k) == '-') {
        i += k;
        if (i < n && sep_class(s + i, n - i, &k) == ' ') i += k;
    }
    if (i < n && (k = paren_at(s + i, n - i, 1))) i += k;
    return i > 0 && i < n && digit_at(s + i, n - i, &k) >= 0 ? i : 0;
}

/* Whether s[0..k) is one space or one dash: what may stand between digits
 * typed one by one (1-3-8-..., 1 3 8 ...; not 1.3.8, a version). */
static int one_space_or_dash(const unsigned char *s, size_t k) {
    size_t kk = 0;
    int c = sep_class(s, k, &kk);
    if (kk != k || !c || c == 'z') return 0;
    unsigned long cp = code_point(s, k);
    return c == ' ' || cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63 ||
           cp == 0x30FC || cp == 0xFF0D;
}

/* The separator at s before an ID's check character as the redactor reads
 * one (no parenthesis): its bytes when an X or x not glued to a letter or
 * digit follows it, else 0. */
static size_t separator_before_x(const unsigned char *s, size_t n) {
    size_t i = 0, k = 0, spaces = 0;
    while (i < n && spaces < 3 && sep_class(s + i, n - i, &k) == ' ') i += k, spaces++;
    if (i < n && spaces <= 1 && sep_class(s + i, n - i, &k) == '-') {
        i += k;
        if (i < n && sep_class(s + i, n - i, &k) == ' ') i += k;
    }
    if (!i || i >= n || (s[i] | 0x20) != 'x' || (i + 1 < n && ascii_alnum(s[i + 1]))) return 0;
    return i;
}

/* Whether the separator s[0..k) holds a space, a dash or a ')' (where the
 * redactor's landline mask ends the area code it keeps: not a dot or a line
 * break). */
static int breaks_area(const unsigned char *s, size_t k) {
    for (size_t i = 0, kk = 0; i < k; i += kk ? kk : 1) {
        int c = sep_class(s + i, k - i, &kk);
        if (c == ' ' || paren_at(s + i, k - i, 0) || (c == '-' && one_space_or_dash(s + i, kk))) return 1;
    }
    return 0;
}

/* Digit groups read from a cell: a number as people type it. */
#define NUM_GROUPS 24
typedef struct number {
    char d[32];              /* its first 32 digits, ASCII; an ID's final X as 'X' */
    size_t n;                /* digits in all */
    size_t groups;           /* groups read */
    size_t at[NUM_GROUPS];   /* digits up to the end of group g */
    size_t end[NUM_GROUPS];  /* bytes up to the end of group g */
    int spaced;              /* every separator is one space or '-' (digits typed one by one) */
    size_t plain;            /* groups read before a separator with a parenthesis */
    size_t first_break;      /* digits before the first separator with a space, a dash or ')' (the
                                redactor's landline mask keeps them), 0: none */
    size_t before_x;         /* bytes before the X (and its separator) ending the number, 0: none */
} number;

/* The groups of the number starting at s (a digit): digits, separators
 * between them, an X right after 14 or more digits (an ID's check
 * character) ending it. */
static void read_number(const unsigned char *s, size_t n, number *num) {
    size_t i = 0, k = 0, d2 = 0;
    num->n = num->groups = 0;
    num->spaced = 1;
    num->plain = NUM_GROUPS;
    num->first_break = 0;
    num->before_x = 0;
    for (;;) {
        int d;
        for (;;) {
            if (i < n && (d = digit_at(s + i, n - i, &k)) >= 0) {
                if (num->n < sizeof num->d) num->d[num->n] = (char)('0' + d);
                num->n++;
                i += k;
            } else if (i < n && sep_class(s + i, n - i, &k) == 'z' && i + k < n &&
                       digit_at(s + i + k, n - i - k, &d2) >= 0) {
                i += k; /* a zero-width character between digits reads as nothing */
            } else {
                break;
            }
        }
        int x = i < n && (s[i] | 0x20) == 'x' && num->n >= 14 && !(i + 1 < n && ascii_alnum(s[i + 1]));
        size_t xs = !x && num->n == 17 && i < n ? separator_before_x(s + i, n - i) : 0;
        if (x || xs) num->before_x = i; /* the bytes of the digits before an ID's X */
        if (xs) { /* 17 digits, a separator, X: an ID's check character (110105 19900101 123 X) */
            num->spaced &= one_space_or_dash(s + i, xs);
            i += xs;
            x = 1;
        }
        if (x) {
            if (num->n < sizeof num->d) num->d[num->n] = 'X';
            num->n++;
            i++;
        }
        num->at[num->groups] = num->n;
        num->end[num->groups++] = i;
        if (x || num->groups == NUM_GROUPS || i >= n || !(k = separator_at(s + i, n - i))) return;
        num->spaced &= one_space_or_dash(s + i, k);
        if (!num->first_break && breaks_area(s + i, k)) num->first_break = num->n;
        if (num->plain == NUM_GROUPS && (paren_at(s + i, k, 0) || paren_at(s + i + k - 1, 1, 1) ||
                                         (k >= 3 && paren_at(s + i + k - 3, 3, 1))))
            num->plain = num->groups;
        i += k;
    }
}

/* What stands before a number: a '+' (an international number), an ASCII
 * letter or digit glued to its lead-in ('(', '+', "(+": the redactor's
 * match starts there), one glued to its first digit, the keyword before its
 * lead-in (FU__KW_*, lib/redact_shapes.h). */
typedef struct number_context {
    int plus, paren, letter, glued, keyword;
} number_context;

/* The bytes of a '+' (plus) or '(' (ASCII or full-width) ending s[0..i); 0
 * when none. */
static size_t lead_in_before(const unsigned char *s, size_t i, int plus) {
    if (i >= 1 && s[i - 1] == (plus ? '+' : '(')) return 1;
    return i >= 3 && !memcmp(s + i - 3, plus ? "\xEF\xBC\x8B" : "\xEF\xBC\x88", 3) ? 3 : 0;
}

/* Where the redactor's match of a number may start: at its lead-in ('(',
 * '+', "(+"), at its '+' (after "(+" the match is tried from the '+' too,
 * where the keyword before the '(' is not seen), at its first digit. */
enum { FROM_LEAD_IN, FROM_PLUS, FROM_DIGIT };

/* The context of the number of `digits` digits at s[i]: its keyword is
 * looked for only when it has 7 or more (no shorter number is masked), as
 * the redactor looks for it: before the number's lead-in ((415) 555-0134,
 * +44 20 ..., (+1) 415 ...). */
static number_context context_at(const unsigned char *s, size_t i, size_t digits, char first, int from) {
    number_context c;
    size_t k = from == FROM_DIGIT ? 0 : lead_in_before(s, i, 1), lead = i - k;
    if (k && (first == '0' || (lead >= 1 && s[lead - 1] >= '0' && s[lead - 1] <= '9')))
        k = 0, lead = i; /* no number after '+' starts with 0 or follows a digit: read from the digit */
    c.plus = k > 0;
    c.paren = from == FROM_LEAD_IN && lead_in_before(s, lead, 0) > 0;
    size_t pb = lead_in_before(s, lead, 0);
    if (c.paren && !c.plus && lead > pb && s[lead - pb - 1] >= '0' && s[lead - pb - 1] <= '9')
        c.paren = 0; /* no match starts at a '(' after a digit: read from the digit */
    if (c.paren) lead -= lead_in_before(s, lead, 0);
    c.letter = lead >= 1 && ascii_alnum(s[lead - 1]);
    c.glued = i >= 1 && ascii_alnum(s[i - 1]);
    c.keyword = digits >= 7 ? fu__keyword_before((const char *)s, lead) : FU__KW_NONE; /* as the redactor reads it */
    return c;
}

/* Whether the internal group boundaries of the first g groups all fall
 * after a, b or c digits. */
static int bounds_in(const number *num, size_t g, size_t a, size_t b, size_t c) {
    for (size_t j = 0; j + 1 < g; j++)
        if (num->at[j] != a && num->at[j] != b && num->at[j] != c) return 0;
    return 1;
}

static int two(const char *d) { return (d[0] - '0') * 10 + (d[1] - '0'); }

static int mobile_at(const char *d) { return d[0] == '1' && d[1] >= '3' && d[1] <= '9'; }

/* The shape functions below answer -1 (none), or how many leading digits
 * the mask keeps, as the redactor's masks (docs/redaction.md): the last 4
 * are always kept. */

/* A mobile number (138 1234 5678), also after 86 or 0086: keeps the
 * prefix and 3 digits. */
static int mobile_shape(const number *num, size_t g, size_t m) {
    const char *d = num->d;
    if (m == FU__SHAPE_MOBILE_DIGITS && mobile_at(d) && bounds_in(num, g, 3, 7, 7)) return FU__SHAPE_MOBILE_KEEP_HEAD;
    if (m == 13 && !memcmp(d, "86", 2) && mobile_at(d + 2) && bounds_in(num, g, 2, 5, 9)) return 5;
    if (m == 15 && !memcmp(d, "0086", 4) && mobile_at(d + 4) && bounds_in(num, g, 4, 7, 11)) return 7;
    return -1;
}


static int month_day_ok(const char *d) { return two(d) >= 1 && two(d) <= 12 && two(d + 2) >= 1 && two(d + 2) <= 31; }

/* A resident ID: 18 characters with a province code, a birth date
 * 18xx-20xx and the check character, in groups of at most 8; or the old
 * 15 digits (province, yymmdd) as 6-6-3. Keeps 3. */
static int id_shape(const number *num, size_t g, size_t m) {
    const char *d = num->d;
    if (m == FU__SHAPE_ID_DIGITS) {
        if (!fu__shape_province_ok(d) || !fu__shape_century_ok(d + 6) || !month_day_ok(d + 10) ||
            !fu_redact_id_cn_valid(d, 18))
            return -1;
        if (g == 1 || bounds_in(num, g, 6, 14, 14)) return FU__SHAPE_ID_KEEP_HEAD; /* 18, 6-8-4, 6-12, 14-4 */
        /* any other grouping: the first group holds the province code (2-8
         * digits), at most 6 groups of at most 8 (the redactor's) */
        if (num->at[0] < 2 || g > 6) return -1;
        for (size_t j = 0; j < g; j++)
            if (num->at[j] - (j ? num->at[j - 1] : 0) > 8) return -1;
        return FU__SHAPE_ID_KEEP_HEAD;
    }
    int old = m == FU__SHAPE_ID_OLD_DIGITS && d[14] != 'X' && fu__shape_province_ok(d) && month_day_ok(d + 8) &&
              bounds_in(num, g, 6, 12, 12);
    return old ? FU__SHAPE_ID_KEEP_HEAD : -1;
}

/* A bank card: 13-19 digits of a network with a valid Luhn sum, contiguous
 * or in 2-5 groups whose first has 4-8 digits. Keeps 4. */
static int card_shape(const number *num, size_t g, size_t m) {
    if (m < FU__SHAPE_CARD_MIN || m > FU__SHAPE_CARD_MAX || g > 5 || !fu__redact_card_issuer_ok(num->d, m) ||
        !fu_redact_luhn_valid(num->d, m))
        return -1;
    return g == 1 || (num->at[0] >= 4 && num->at[0] <= 8) ? FU__SHAPE_CARD_KEEP_HEAD : -1;
}

/* A landline: 0 + area code, contiguous 11-12 digits or grouped 3/4 +
 * 7/8 or 3/4 + 3/4 + 4 (keeps the area code), a national number 5 + 6
 * (07911 123456, keeps 2); or the area code without its 0 after 86 / 0086
 * (86-10-65529988, keeps the country code). */
static int landline_shape(const number *num, size_t g, size_t m, const number_context *c) {
    const char *d = num->d;
    size_t a = num->at[0], b = g > 1 ? num->at[1] - a : 0;
    /* the redactor keeps the digits before the first space, dash or ')', or
     * of a contiguous one 3 (010, 02x) or 4 (landline_area_digits) */
    int brk = num->first_break && num->first_break < m ? (int)num->first_break : 0;
    char second = c->plus || c->paren ? d[0] : d[1]; /* the second byte of the redactor's match */
    int area = brk ? brk : second == '1' || second == '2' ? 3 : 4;
    if (d[0] == '0' && d[1] != '0') {
        if (g == 1) return m == 11 || m == 12 ? area : -1;
        if (g == 2 && (a == 3 || a == 4)) return b == 7 || b == 8 ? area : -1;
        if (g == 3 && (a == 3 || a == 4)) return (b == 3 || b == 4) && m - a - b == 4 ? area : -1;
        return g == 2 && a == 5 && m == 11 && !c->letter ? 2 : -1;
    }
    /* after the country code 86 or 0086 (its own group or not): an area
     * code of 2-3 digits (3-4 with its 0), 3-4 digits, 4 digits; groups
     * only between them (the redactor's) */
    size_t cc = !memcmp(d, "0086", 4) ? 4 : !memcmp(d, "86", 2) ? 2 : 0;
    if (!cc || c->letter) return -1;
    size_t zero = d[cc] == '0';
    if (d[cc + zero] < '1') return -1;
    for (size_t ar = 2 + zero; ar <= 3 + zero; ar++)
        for (size_t s1 = 3; s1 <= 4; s1++)
            if (cc + ar + s1 + 4 == m && (bounds_in(num, g, cc, cc + ar, cc + ar + s1))) return area;
    return -1;
}

/* A number outside China: after '+' (8-17 digits), after the 00 prefix, or
 * North American with separators (415-555-0134, 1-800-555-0199). Keeps
 * 2. */
static int intl_shape(const number *num, size_t g, size_t m, const number_context *c) {
    const char *d = num->d;
    int yes;
    if (d[m - 1] == 'X') m--; /* the digits before an X (put_number() leaves the X out) */
    if (c->plus) yes = d[0] != '0' && m >= FU__SHAPE_INTL_MIN && m <= FU__SHAPE_INTL_MAX;
    else if (c->letter) yes = 0;
    else if (d[0] == '0' && d[1] == '0' && d[2] != '0' && !c->paren) /* 00 + a digit, 9-17 digits in all */
        yes = num->at[0] >= 3 && m >= FU__SHAPE_INTL_MIN + 1 && m <= FU__SHAPE_INTL_MAX; /* 00, a digit, 6 more */
    else if (g == 3 && num->at[0] == 3 && num->at[1] == 6 && m == 10) yes = d[0] >= '2' && d[3] >= '2';
    else yes = g == 4 && num->at[0] == 1 && num->at[1] == 4 && num->at[2] == 7 && m == 11 && d[0] == '1' &&
               d[1] >= '2' && d[4] >= '2';
    return yes ? FU__SHAPE_INTL_KEEP_HEAD : -1;
}

/* A number right after its keyword (docs/redaction.md): after a phone,
 * ID or card keyword a mobile, an ID or a card typed digit by digit or in
 * any groups (one space or '-' between them); after an ID keyword 14-19
 * characters (an ID with a typo: contiguous or 6-7..9-2..4); after an
 * account keyword a bank account of 10-30 digits (contiguous, or 3-8 then
 * groups of 2-8). */
static int keyword_shape(const number *num, size_t g, size_t m, int kw) {
    if (g > num->plain) return -1; /* a group in parentheses: no account, no ID (the redactor's) */
    if (kw == FU__KW_ACCOUNT && m >= FU__SHAPE_ACCOUNT_MIN && m <= FU__SHAPE_ACCOUNT_MAX &&
        (g == 1 || (num->at[0] >= 3 && num->at[0] <= 8))) {
        size_t j = 1;
        while (j < g && num->at[j] - num->at[j - 1] >= 2 && num->at[j] - num->at[j - 1] <= 8) j++;
        if (j == g) return FU__SHAPE_CARD_KEEP_HEAD;
    }
    if (kw == FU__KW_ID && m >= FU__SHAPE_ID_TYPO_MIN && m <= FU__SHAPE_ID_TYPO_MAX &&
        (g == 1 || (g == 3 && num->at[0] == 6 && num->at[1] - 6 >= 7 && num->at[1] - 6 <= 9 && m - num->at[1] >= 2 &&
                    m - num->at[1] <= 4)))
        return FU__SHAPE_ID_KEEP_HEAD;
    return -1;
}

/* Which number typed digit by digit spaced_shape() looks for. */
enum { SPACED_ID, SPACED_MOBILE, SPACED_CARD };

/* A number typed digit by digit or in any groups (one space or '-'
 * between them) right after a phone, ID or card keyword, not glued to a
 * letter or digit, of 11 digits or more in all: its first m digits (up to
 * the end of a group) as an ID, a mobile or a card (`which`). */
static int spaced_shape(const number *num, size_t m, const number_context *c, int which) {
    const char *d = num->d;
    int kw = c->keyword == FU__KW_PHONE || c->keyword == FU__KW_ID || c->keyword == FU__KW_ACCOUNT;
    if (!kw || !num->spaced || c->glued || num->n < 11 || m > sizeof num->d) return -1;
    if (which == SPACED_ID)
        return m == FU__SHAPE_ID_DIGITS && fu__shape_province_ok(d) && fu__shape_century_ok(d + 6) &&
                       month_day_ok(d + 10) && fu_redact_id_cn_valid(d, 18)
                   ? FU__SHAPE_ID_KEEP_HEAD
                   : -1;
    if (which == SPACED_MOBILE) return m == FU__SHAPE_MOBILE_DIGITS && mobile_at(d) ? FU__SHAPE_MOBILE_KEEP_HEAD : -1;
    return m >= FU__SHAPE_CARD_MIN && m <= FU__SHAPE_CARD_MAX && d[m - 1] != 'X' && fu__redact_card_issuer_ok(d, m) &&
                   fu_redact_luhn_valid(d, m)
               ? FU__SHAPE_CARD_KEEP_HEAD
               : -1;
}

/* Whether the first g groups of num have a shape of personal data: the
 * digits its mask keeps in front, or -1. After an order keyword a card, a
 * landline or a number outside China is an order number (订单号 6222...). */
static int own_shape(const number *num, size_t g, size_t m, const number_context *c) {
    int head;
    if (m < 8 || m > sizeof num->d) return -1;
    if (c->plus) { /* the redactor's match starts at the '+': a mobile or landline after 86, or a foreign number */
        if (m == 13 && (head = mobile_shape(num, g, m)) >= 0) return head;
        if (c->keyword != FU__KW_ORDER && (head = landline_shape(num, g, m, c)) >= 0) return head;
        return c->keyword == FU__KW_ORDER ? -1 : intl_shape(num, g, m, c);
    }
    int plain = g <= num->plain; /* no parenthesis: the redactor's ID and card shapes have none */
    if (!plain && !c->paren) /* a ')' with no '(' before the number: only a 00 number's part, (0) */
        return num->at[0] >= 3 ? intl_shape(num, g, m, c) : -1;
    if (num->d[m - 1] == 'X') return plain ? id_shape(num, g, m) : -1;
    if ((plain && (head = id_shape(num, g, m)) >= 0) || (head = mobile_shape(num, g, m)) >= 0) return head;
    if (c->keyword == FU__KW_ORDER) return -1;
    if ((plain && (head = card_shape(num, g, m)) >= 0) || (head = landline_shape(num, g, m, c)) >= 0) return head;
    return intl_shape(num, g, m, c);
}

/* As the redactor reads a number (its branches in their order, then the
 * numbers typed digit by digit it finds in C where no branch matched): the
 * shapes of the number itself first (an ID, a mobile, a card, a landline, a
 * foreign number), then those its keyword allows (a bank account, an ID
 * with a typo), then, not glued to a letter or digit, a number typed digit
 * by digit after its keyword. */
static int number_shape(const number *num, size_t g, const number_context *c) {
    size_t m = num->at[g - 1];
    int head = own_shape(num, g, m, c);
    int kw = c->keyword == FU__KW_PHONE || c->keyword == FU__KW_ID || c->keyword == FU__KW_ACCOUNT;
    if (head < 0 && kw) head = keyword_shape(num, g, m, c->keyword);
    return head;
}

/* Append one character (k bytes at c) to buf, or its escape; 0 when it does
 * not fit in `room`. */
static size_t put_char(char *out, size_t room, const unsigned char *c, size_t k) {
    char esc[8];
    size_t m;
    if (k == 1 && c[0] == '\\') {
        m = (size_t)snprintf(esc, sizeof esc, "\\\\");
    } else if (control_escape(c, k, esc, &m)) {
        /* escaped */
    } else if (k == 0) { /* an ill-formed byte */
        m = (size_t)snprintf(esc, sizeof esc, "\\x%02X", (unsigned)c[0]);
    } else {
        if (k > room) return 0;
        memcpy(out, c, k);
        return k;
    }
    if (m > room) return 0;
    memcpy(out, esc, m);
    return m;
}

/* The quoted cell being written: at most FU_ERRTEXT_CELL_CHARS characters
 * into buf[0..room). */
typedef struct cell_out {
    char *buf;
    size_t o, room, chars;
    int cut;
} cell_out;

/* Append one character (k bytes at c; 0: an ill-formed byte); 0 when the
 * cell is full (then cut). */
static int put(cell_out *w, const unsigned char *c, size_t k) {
    size_t m = 0;
    if (w->chars == FU_ERRTEXT_CELL_CHARS || !(m = put_char(w->buf + w->o, w->room - w->o, c, k))) {
        w->cut = 1;
        return 0;
    }
    w->o += m;
    w->chars++;
    return 1;
}

/* The longest run of num's groups with a shape of personal data, in *g,
 * and the digits its mask keeps in front; -1 when none. As the redactor:
 * its pattern's shapes first, then a number typed digit by digit after
 * its keyword (an ID, a mobile unless after an account keyword, the
 * longest card, a mobile). */
static int longest_shape(const number *num, const number_context *c, size_t *g) {
    int head;
    for (*g = num->groups; *g > 0; --*g)
        if ((head = number_shape(num, *g, c)) >= 0) return head;
    static const int order[] = {SPACED_ID, SPACED_MOBILE, SPACED_CARD, SPACED_MOBILE};
    for (size_t o = 0; o < sizeof order / sizeof *order; o++) {
        if (o == 1 && c->keyword == FU__KW_ACCOUNT) continue; /* the card first after an account keyword */
        for (*g = num->groups; *g > 0; --*g)
            if ((head = spaced_shape(num, num->at[*g - 1], c, order[o])) >= 0) return head;
    }
    return -1;
}

/* Append s[0..len), a number of `digits` digits, masked as the redactor
 * masks numbers: its first `head` and last 4 digits kept, separators kept.
 * digits < 7: written as is. */
static void put_number_masked(cell_out *w, const unsigned char *s, size_t len, size_t digits, size_t head) {
    size_t seen = 0, k = 0, tail = FU__SHAPE_KEEP_TAIL;
    if (digits >= 7 && head + tail >= digits) head = tail = 0; /* never show everything (the redactor's) */
    for (size_t j = 0; j < len && !w->cut; j += k) {
        int is_digit = digit_at(s + j, len - j, &k) >= 0;
        if (!is_digit && (s[j] | 0x20) == 'x') is_digit = 1, k = 1; /* an ID's check character */
        else if (!is_digit) k = fu__utf8_seq_len(s + j, len - j);
        int keep = !is_digit || digits < 7 || seen + tail >= digits || seen < head;
        if (keep) put(w, s + j, k);
        else put(w, (const unsigned char *)"*", 1);
        if (!k) k = 1;
        seen += (size_t)is_digit;
    }
}

/* Append the number starting at s[i] (a digit); the bytes it took. The
 * longest run of its groups with a shape of personal data is masked; with
 * none, its first group is written as is (an id, an epoch, a date), or,
 * for a cell of a personal-data column, masked when the first group has 7
 * or more digits, or all its groups when they have 15 or more. */
static size_t put_number(cell_out *w, const unsigned char *s, size_t len, size_t i, int personal) {
    number num;
    read_number(s + i, len - i, &num);
    number_context c = context_at(s, i, num.n, num.d[0], FROM_LEAD_IN);
    size_t g = 0;
    int head = longest_shape(&num, &c, &g);
    if (head < 0 && c.plus && c.paren) { /* none from "(+": the redactor tries from the '+' */
        c = context_at(s, i, num.n, num.d[0], FROM_PLUS);
        head = longest_shape(&num, &c, &g);
    }
    if (head < 0 && c.plus) { /* none from the '+': the redactor reads on from the digit */
        c = context_at(s, i, num.n, num.d[0], FROM_DIGIT);
        head = longest_shape(&num, &c, &g);
    }
    if (head >= 0) {
        size_t end = num.end[g - 1], digits = num.at[g - 1];
        if (num.d[digits - 1] == 'X' && head == FU__SHAPE_INTL_KEEP_HEAD && num.before_x)
            end = num.before_x, digits--; /* a foreign number ends before an X (only an ID's has one) */
        put_number_masked(w, s + i, end, digits, (size_t)head);
        return end;
    }
    if (personal && (num.n >= 15 || num.at[0] >= 7)) {
        size_t gp = num.at[0] >= 7 ? 1 : num.groups, m = num.at[gp - 1];
        put_number_masked(w, s + i, num.end[gp - 1], m, m >= 11 ? 3 : 0);
        return num.end[gp - 1];
    }
    put_number_masked(w, s + i, num.end[0], 0, 0);
    return num.end[0];
}

/* A passport or permit number at s[i], not glued to letters or digits: E
 * or G + 8 digits, E + a letter + 7 digits; after a permit or passport
 * keyword also C, H or M + 8 digits and H or M + 10, and the letters in
 * lower case. Its length (9 or 11), or 0. */
static size_t passport_at(const unsigned char *s, size_t n, size_t i) {
    unsigned char c = s[i];
    if (!strchr("EGCHMeghcm", c) || !c || (i > 0 && ascii_alnum(s[i - 1])) || n - i < 9) return 0;
    size_t j = i + 1;
    if (c == 'E' && s[j] >= 'A' && s[j] <= 'Z' && s[j] != 'I' && s[j] != 'O') j++;
    while (j < n && j - i < 12 && s[j] >= '0' && s[j] <= '9') j++;
    size_t len = j - i;
    if ((len != 9 && len != 11) || (j < n && ascii_alnum(s[j]))) return 0;
    if (len == 9 && (c == 'E' || c == 'G')) return 9;
    if (fu__keyword_before((const char *)s, i) != FU__KW_PERMIT) return 0;
    return len == 9 || c == 'H' || c == 'M' || c == 'h' || c == 'm' ? len : 0;
}

/* Letters of other scripts an e-mail's local part or domain may hold
 * (RFC 6531): Latin, Greek to the general punctuation, kana, CJK, Hangul. */
static int intl_letter(unsigned long c) {
    return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x1FFF) ||
           (c >= 0x3041 && c <= 0x30FA) || (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 0xF900 && c <= 0xFAFF);
}

/* The character at s (its bytes in *k) as an e-mail reads it, full-width
 * forms as ASCII: 1 an ASCII character of a local part, 2 a letter of
 * another script, '@', '.' (also '。'), ' ' (also U+3000), or 0. */
static int mail_class(const unsigned char *s, size_t n, size_t *k) {
    *k = fu__utf8_seq_len(s, n);
    if (!*k) return 0;
    unsigned long c = code_point(s, *k);
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0; /* full-width ASCII */
    if (c == '@' || c == '.' || c == ' ') return (int)c;
    if (c == 0x3002) return '.';
    if (c == 0x3000) return ' ';
    if (c < 0x80) return ascii_alnum((unsigned char)c) || strchr("_%+-", (int)c) ? 1 : 0;
    return intl_letter(c) ? 2 : 0;
}

/* Whether s[i..n) holds a domain after an '@': labels of letters, digits,
 * hyphens and letters of other scripts, at least two, joined by '.' or
 * '。'. */
static int mail_domain(const unsigned char *s, size_t n, size_t i) {
    size_t k = 0, labels = 0, len = 0;
    for (; i < n; i += k) {
        int c = mail_class(s + i, n - i, &k);
        if (c == 1 || c == 2) len++;
        else if (c == '.' && len) labels++, len = 0;
        else break;
    }
    return labels >= 1 && len >= 1;
}

/* Whether an e-mail address starts at s[i] (the first character of a word):
 * a local part (ASCII characters, letters of other scripts), at most one
 * space, '@' or '＠', at most one space, a domain. Where its local part
 * starts in *ls (after text of another script that runs into an ASCII
 * local part: 邮箱zhang@qq.com) and where the '@' or the space before it is
 * in *at. */
static int email_at(const unsigned char *s, size_t n, size_t i, size_t *ls, size_t *at) {
    size_t k = 0, j = i, p = i;
    if (i > 0) {
        do p--; while (p > 0 && (s[p] & 0xC0) == 0x80);
        int before = mail_class(s + p, n - p, &k);
        if (before == 1 || before == 2 || before == '.') return 0;
    }
    int c = mail_class(s + i, n - i, &k);
    if (c != 1 && c != 2) return 0;
    *ls = i;
    for (int last = 0; j < n && ((c = mail_class(s + j, n - j, &k)) == 1 || c == 2 || c == '.'); j += k) {
        if (c == 2) *ls = j + k; /* only an ASCII local part after other text */
        else if (last == 2) *ls = j;
        last = c;
    }
    if (*ls == j) *ls = i; /* a local part of other letters: all of it */
    *at = j;
    if (j < n && mail_class(s + j, n - j, &k) == ' ') j += k;
    if (j >= n || mail_class(s + j, n - j, &k) != '@') return 0;
    j += k;
    if (j < n && mail_class(s + j, n - j, &k) == ' ') j += k;
    return mail_domain(s, n, j);
}

/* Append the passport or permit at s (len bytes): its letter and last 3
 * digits kept. */
static void put_passport(cell_out *w, const unsigned char *s, size_t len) {
    put(w, s, 1);
    for (size_t j = 1; j < len; j++) put(w, j < len - 3 ? (const unsigned char *)"*" : s + j, 1);
}

static const char *errtext_cell(char *buf, size_t cap, const char *cell, size_t len, int personal) {
    const unsigned char *s = (const unsigned char *)(cell ? cell : "");
    const size_t ell = sizeof FU_ERRTEXT_ELLIPSIS - 1;
    size_t i = 0;
    if (cap < ell + 1) {
        if (cap) buf[0] = '\0';
        return buf;
    }
    cell_out w = {buf, 0, cap - 1 - ell, 0, 0}; /* always keep room for the ellipsis */
    if (!cell) len = 0;
    int mail = len && (memchr(s, '@', len) || memchr(s, 0xA0, len)); /* '@' or '＠' (EF BC A0) */
    while (i < len && !w.cut) {
        size_t k = 0, at = 0, ls = 0;
        if (mail && email_at(s, len, i, &ls, &at)) {
            /* an e-mail address as the redactor masks it: z***@example.com */
            for (; i < ls && !w.cut; i += k) put(&w, s + i, k = fu__utf8_seq_len(s + i, len - i));
            k = fu__utf8_seq_len(s + i, len - i);
            if (w.cut || w.chars + 4 > FU_ERRTEXT_CELL_CHARS || w.room - w.o < k + 3) break;
            put(&w, s + i, k);
            for (int j = 0; j < 3; j++) put(&w, (const unsigned char *)"*", 1);
            i = at;
        } else if ((k = passport_at(s, len, i))) {
            if (w.chars + k > FU_ERRTEXT_CELL_CHARS || w.room - w.o < k) break;
            put_passport(&w, s + i, k);
            i += k;
        } else if (digit_at(s + i, len - i, &k) >= 0) {
            i += put_number(&w, s, len, i, personal);
        } else {
            k = fu__utf8_seq_len(s + i, len - i);
            if (put(&w, s + i, k)) i += k ? k : 1;
        }
    }
    if (w.cut || i < len) {
        memcpy(buf + w.o, FU_ERRTEXT_ELLIPSIS, ell);
        w.o += ell;
    }
    buf[w.o] = '\0';
    return buf;
}

const char *fu__errtext_cell(char *buf, size_t cap, const char *cell, size_t len) {
    return errtext_cell(buf, cap, cell, len, 0);
}

const char *fu__errtext_cell_personal(char *buf, size_t cap, const char *cell, size_t len) {
    return errtext_cell(buf, cap, cell, len, 1);
}

const char *fu__errtext_cell_str(char *buf, size_t cap, const char *cell) {
    return fu__errtext_cell(buf, cap, cell, cell ? strlen(cell) : 0);
}

/* ------------------------------------------------- free text in outputs */

int fu__text_may_hold_personal_data(const char *s) {
    /* Chinese numerals as people read out numbers (lead bytes E3..E9) */
    static const char *const numerals[] = {"〇", "零", "一", "幺", "二", "两", "三", "四", "五", "六", "七", "八", "九"};
    size_t digits = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '@') return 1;
        if (*p >= '0' && *p <= '9') {
            digits++;
        } else if (*p == 0xEF && p[1] == 0xBC && p[2]) { /* full-width forms */
            if (p[2] == 0xA0) return 1;                      /* ＠ */
            digits += p[2] >= 0x90 && p[2] <= 0x99;          /* ０..９ */
            p += 2;
        } else if (*p >= 0xE3 && *p <= 0xE9 && p[1] && p[2]) {
            for (size_t i = 0; i < sizeof numerals / sizeof numerals[0]; i++)
                if (memcmp(p, numerals[i], 3) == 0) digits++;
            p += 2;
        }
    }
    return digits >= 6;
}
