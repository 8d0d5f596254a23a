/* PCRE2 helpers shared by fu_redact and fu_commit. Not installed. */
#ifndef FU_REDACT_INTERNAL_H
#define FU_REDACT_INTERNAL_H

#include "internal.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The first ASCII digit of t at or after pos, or len: 16 bytes at a time
 * with SSE2. Shared by the redactor's card search and its pre-scan. */
static inline size_t fu__re_next_digit(const char *t, size_t len, size_t pos) {
#ifdef __SSE2__
    const __m128i lo = _mm_set1_epi8('0' - 1), hi = _mm_set1_epi8('9' + 1);
    while (len - pos >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + pos));
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi)));
        if (bits) return pos + (size_t)__builtin_ctz(bits);
        pos += 16;
    }
#endif
    while (pos < len && !(t[pos] >= '0' && t[pos] <= '9')) pos++;
    return pos;
}

/* One set of PCRE2 contexts whose allocations go through the library's
 * allocator. `alloc_failed` tells an out-of-memory failure inside PCRE2 apart
 * from other reasons PCRE2 gives PCRE2_ERROR_NOMEMORY for (e.g. no executable
 * memory for JIT). The struct must not move after fu__re_init(). */
typedef struct fu__re {
    pcre2_general_context *gen;
    pcre2_compile_context *comp;
    pcre2_match_context *match;
    int alloc_failed;
    int use_jit;
} fu__re;

#define FU__RE_DEFAULT_MATCH_LIMIT 1000000u
#define FU__RE_DEFAULT_DEPTH_LIMIT 10000u
#define FU__RE_HEAP_LIMIT_KIB 20000u

/* Create the contexts. Limits of 0 take the defaults above. */
int fu__re_init(fu__re *re, uint32_t match_limit, uint32_t depth_limit, int use_jit);
void fu__re_fini(fu__re *re);

/* Compile `pattern` (NUL-terminated) with `options` and JIT-compile it when
 * enabled and possible. `what` names the pattern in errors
 * ("redaction pattern 'card'"). Returns FU_OK, FU_EPARSE or FU_ENOMEM. */
int fu__re_compile(fu__re *re, const char *pattern, uint32_t options, const char *what,
                   pcre2_code **out);

/* Match data sized for `code`, allocated through the allocator. */
int fu__re_match_data(fu__re *re, const pcre2_code *code, pcre2_match_data **out);

/* Run one match from `start`. Returns 1 on a match, 0 on none, or a negative
 * FU_ code (FU_ELIMIT for the limits, FU_ENOMEM, FU_ERROR) with the error set;
 * errors name the pattern as "what 'name'" (name may be NULL). */
int fu__re_exec(fu__re *re, const pcre2_code *code, const char *subject, size_t len, size_t start,
                uint32_t options, pcre2_match_data *md, const char *what, const char *name);

/* Whether JIT code was produced for `code`. */
int fu__re_is_jit(const pcre2_code *code);

/* Whether the digits `d` (n >= 4 of them) start like a card of a network
 * (Visa, Mastercard, Amex, JCB, Diners, UnionPay, Discover, domestic) and
 * have one of its lengths; the Luhn sum is not checked. */
int fu__redact_card_issuer_ok(const char *d, size_t n);

/* The pre-scan of the combined pattern of the digit kinds (lib/redact_scan.c).
 * Every match of it holds at least FU__REDACT_MIN_DIGITS ASCII digits (a
 * passport E + letter + 7; ID 15/18, mobile 11, landline 10+, card 13-19,
 * E.164 8+ and bank account 10+ by their callouts, an ID with a typo 14+), at
 * most FU__REDACT_MAX_GAP bytes stand between two of its digits (a separator
 * of at most 4 bytes, " \r\n ", with a ')' before it and a '(' after it:
 * "+86) (138"), and it starts at most FU__REDACT_MAX_LEAD bytes before its
 * first digit ("(+86", "(+1", "EA1234567"). tests/test_redact_scan.c holds
 * each kind to these bounds. */
#define FU__REDACT_MIN_DIGITS 7
#define FU__REDACT_MAX_GAP 6
#define FU__REDACT_MAX_LEAD 2

/* The first offset >= pos at which a match of the combined pattern can
 * start (no match starts in t[pos..) before it), or len when none can. */
size_t fu__redact_dense_start(const char *t, size_t len, size_t pos);

/* Whether a character of the well-formed UTF-8 t[0..len) reads as another
 * when matching: norm(p, k) != 0 for one (lib/redact.c norm_of()). */
int fu__redact_needs_norm(const char *t, size_t len, char (*norm)(const unsigned char *, size_t));

/* Tests only: with on = 0 the redactor runs the combined pattern without
 * the pre-scan (as before it), to compare the two. */
struct fu_redactor;
void fu__redactor_set_prescan(struct fu_redactor *r, int on);

#endif /* FU_REDACT_INTERNAL_H */
