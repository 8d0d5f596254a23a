/* Text put into error messages: repairing cut UTF-8, quoting cells of input
 * (see errtext.h). Used on error paths only, so written for clarity. */
#include "errtext.h"

#include "utf8_internal.h"

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
 * byte length in *k), 10 for an ID's final X/x, -1 otherwise. */
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

/* The bytes of the digit run starting at s (a digit): digits, with single
 * spaces or hyphens between them when `join`, an X/x right after the last
 * digit of 14 or more. Its digit count in *digits. */
static size_t digit_run_sep(const unsigned char *s, size_t n, int join, size_t *digits) {
    size_t i = 0, k = 0, d = 0;
    while (i < n) {
        if (digit_at(s + i, n - i, &k) >= 0) {
            i += k;
            d++;
            continue;
        }
        if (join && (s[i] == ' ' || s[i] == '-') && i + 1 < n && digit_at(s + i + 1, n - i - 1, &k) >= 0) {
            i++;
            continue;
        }
        break;
    }
    if (i < n && (s[i] == 'X' || s[i] == 'x') && d >= 14 && (i + 1 == n || !((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z'))) {
        i++;
        d++;
    }
    *digits = d;
    return i;
}

/* The digit run at s as a number that may be personal data: groups joined
 * by separators count as one number only as a mobile (11 digits from a 1:
 * 138 1234 5678) or an ID / card (15 or more); otherwise (a date
 * 2026-11-20, an amount and a time) only the first group does. */
static size_t digit_run(const unsigned char *s, size_t n, size_t *digits) {
    size_t k = 0;
    size_t run = digit_run_sep(s, n, 1, digits);
    if ((*digits == 11 && digit_at(s, n, &k) == 1) || *digits >= 15) return run;
    return digit_run_sep(s, n, 0, digits);
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

static int email_local_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '%' || c == '+' || c == '-';
}

/* Whether s[i..n) starts the local part of an e-mail address: ASCII local
 * characters from the start of a word up to an '@' (or full-width '＠')
 * followed by a letter, digit or non-ASCII character. Where its '@' is in
 * *at. */
static int email_starts(const unsigned char *s, size_t n, size_t i, size_t *at) {
    if (!email_local_char(s[i]) || (i > 0 && email_local_char(s[i - 1]))) return 0;
    size_t j = i;
    while (j < n && email_local_char(s[j])) j++;
    size_t after = j < n && s[j] == '@' ? j + 1 : j + 2 < n && !memcmp(s + j, "\xEF\xBC\xA0", 3) ? j + 3 : 0;
    if (!after || after >= n) return 0;
    unsigned c = s[after];
    if (!(c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) return 0;
    *at = j;
    return 1;
}

const char *fu__errtext_cell(char *buf, size_t cap, const char *cell, size_t len) {
    const unsigned char *s = (const unsigned char *)(cell ? cell : "");
    const size_t ell = sizeof FU_ERRTEXT_ELLIPSIS - 1;
    size_t i = 0, o = 0, chars = 0, room;
    int cut = 0;
    if (cap < ell + 1) {
        if (cap) buf[0] = '\0';
        return buf;
    }
    room = cap - 1 - ell; /* always keep room for the ellipsis */
    if (!cell) len = 0;
    while (i < len && !cut) {
        size_t k = 0, digits = 0, at = 0;
        if (email_starts(s, len, i, &at)) {
            /* an e-mail address as the redactor masks it: z***@example.com */
            if (chars + 4 > FU_ERRTEXT_CELL_CHARS || room - o < 4) {
                cut = 1;
                break;
            }
            buf[o++] = (char)s[i];
            memcpy(buf + o, "***", 3);
            o += 3;
            chars += 4;
            i = at;
            continue;
        }
        if (digit_at(s + i, len - i, &k) >= 0) {
            size_t run = digit_run(s + i, len - i, &digits), seen = 0;
            for (size_t j = i; j < i + run && !cut;) {
                int d = digit_at(s + j, i + run - j, &k);
                size_t m;
                if (d < 0) k = 1; /* a separator or the final X */
                int is_digit = s[j] != ' ' && s[j] != '-';
                int keep = !is_digit || digits < 7 || seen >= digits - 4 || (digits >= 11 && seen < 3);
                if (chars == FU_ERRTEXT_CELL_CHARS) cut = 1;
                else if (keep) cut = !(m = put_char(buf + o, room - o, s + j, k));
                else cut = !(m = put_char(buf + o, room - o, (const unsigned char *)"*", 1));
                if (cut) break;
                o += m;
                j += k;
                chars++;
                seen += is_digit;
            }
            i += run;
            continue;
        }
        k = fu__utf8_seq_len(s + i, len - i);
        size_t m;
        if (chars == FU_ERRTEXT_CELL_CHARS || !(m = put_char(buf + o, room - o, s + i, k))) {
            cut = 1;
            break;
        }
        o += m;
        i += k ? k : 1;
        chars++;
    }
    if (cut || i < len) {
        memcpy(buf + o, FU_ERRTEXT_ELLIPSIS, ell);
        o += ell;
    }
    buf[o] = '\0';
    return buf;
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
