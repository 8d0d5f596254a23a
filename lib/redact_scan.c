/* fu_redact: the pre-scan in front of the combined pattern of the digit
 * kinds (lib/redact.c, find_spans()). It finds, with SSE2 16 bytes at a
 * time, the first place a match could start, so that the JIT code is not
 * entered for a note whose digits are a date, a count or a customer id
 * (c00079@example.com), and starts where the first dense run of digits is
 * instead of scanning up to it byte by byte. docs/redaction.md, "Bounded matching". */
#include "redact_internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Digits at or after pos form clusters: two digits are in one cluster when
 * at most FU__REDACT_MAX_GAP bytes stand between them. The digits of a
 * match of the combined pattern are in one cluster, and it has at least
 * FU__REDACT_MIN_DIGITS of them; the match starts at most
 * FU__REDACT_MAX_LEAD bytes before its first digit. So no match starts
 * before the first digit of the first cluster with FU__REDACT_MIN_DIGITS
 * digits less the lead. */
size_t fu__redact_dense_start(const char *t, size_t len, size_t pos) {
    size_t first = fu__re_next_digit(t, len, pos), n = 0, last = 0;
    for (size_t i = first; i < len;) {
        if (n && i - last - 1 > FU__REDACT_MAX_GAP) { /* too far from the cluster before: a new one */
            first = i;
            n = 0;
        }
        size_t e = i;
        while (e < len && is_digit(t[e])) e++;
        n += e - i;
        if (n >= FU__REDACT_MIN_DIGITS) return first - pos > FU__REDACT_MAX_LEAD ? first - FU__REDACT_MAX_LEAD : pos;
        last = e - 1;
        i = fu__re_next_digit(t, len, e);
    }
    return len;
}

/* Whether a character of the well-formed UTF-8 t[0..len) needs normalising
 * (norm(p, k) != 0 for it): only the leads C2 (2 bytes), E2, E3 and EF (3
 * bytes) start one, and in well-formed text these bytes are always leads,
 * so they are found 16 bytes at a time without decoding. The same answer
 * as the check of scan_text() in lib/redact.c, for text known to be
 * well-formed (the UTF-8 of a Python str). */
int fu__redact_needs_norm(const char *t, size_t len, char (*norm)(const unsigned char *, size_t)) {
    const unsigned char *s = (const unsigned char *)t;
    size_t i = 0;
    for (;;) {
#ifdef __SSE2__
        const __m128i c2 = _mm_set1_epi8((char)0xC2), e2 = _mm_set1_epi8((char)0xE2);
        const __m128i e3 = _mm_set1_epi8((char)0xE3), ef = _mm_set1_epi8((char)0xEF);
        while (len - i >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, c2), _mm_cmpeq_epi8(v, e2)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, e3), _mm_cmpeq_epi8(v, ef)));
            unsigned bits = (unsigned)_mm_movemask_epi8(m);
            if (bits) {
                i += (size_t)__builtin_ctz(bits);
                break;
            }
            i += 16;
        }
#endif
        while (i < len && s[i] != 0xC2 && s[i] != 0xE2 && s[i] != 0xE3 && s[i] != 0xEF) i++;
        if (i >= len) return 0;
        size_t k = s[i] == 0xC2 ? 2 : 3;
        if (len - i >= k && norm(s + i, k)) return 1;
        i += k;
    }
}
