/* UTF-8 validation shared by every text input of the library (ledger fields,
 * notes, redactor and extractor inputs, book ids). Not installed. */
#ifndef FU_UTF8_INTERNAL_H
#define FU_UTF8_INTERNAL_H

#include "internal.h"

#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (n >= 1 bytes left), 0 if
 * none (lib/common.c). */
size_t fu__utf8_seq_len(const unsigned char *s, size_t n);

/* Whether s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). On 0, *bad (may be NULL) receives the
 * byte offset of the first byte of the first ill-formed sequence. ASCII runs
 * are checked 8 bytes at a time. */
int fu__utf8_valid(const char *s, size_t len, size_t *bad);

/* FU_OK when s[0..len) is well-formed UTF-8; otherwise FU_EINVAL with the
 * error "WHAT: invalid UTF-8 at byte offset N (line L, column C): byte 0xXX"
 * and line/column set in the error detail (1-based; the column counts
 * characters). `what` names the input ("commitment text"). A NULL `s` with
 * len 0 is valid. */
int fu__utf8_check(const char *what, const char *s, size_t len);

/* fu__utf8_check() of a NUL-terminated string; NULL is valid. */
int fu__utf8_check_str(const char *what, const char *s);

/* Whether the 8 bytes at s (n of them left) are all ASCII: the fast step of
 * the scanners above and of the redactor's. */
static inline int fu__ascii8(const unsigned char *s, size_t n) {
    uint64_t w;
    if (n < 8) return 0;
    memcpy(&w, s, 8);
    return !(w & UINT64_C(0x8080808080808080));
}

#endif /* FU_UTF8_INTERNAL_H */
