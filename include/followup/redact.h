/**
 * @file followup/redact.h
 * @brief Masking personal data in free text: phone numbers, ID numbers, bank
 * cards, e-mail addresses and patterns of the caller's own.
 *
 * A #fu_redactor is compiled once from #fu_redact_options and then applied to
 * any number of texts. It finds, in UTF-8 text (Chinese around the numbers is
 * fine; ill-formed UTF-8 is refused with #FU_EINVAL naming the byte offset):
 *
 * | kind                     | what                                                   | mask                      |
 * |--------------------------|--------------------------------------------------------|---------------------------|
 * | #FU_REDACT_ID_CN         | 18-digit resident ID (province code, birth date plausible, ISO 7064 MOD 11-2 check character right), or the old 15-digit one (province code, birth date), in any grouping; after an ID keyword (身份证号, 证件号, ID no.) also with a typo | `110***********1234` |
 * | #FU_REDACT_MOBILE_CN     | `1[3-9]x` 11-digit mobile, optional `+86`/`0086`/`(+86)`, separators in the 3-4-4 places | `138****5678`, `+86 138-****-5678` |
 * | #FU_REDACT_BANK_CARD     | 13–19 digits (contiguous or in 2–5 groups: 4-4-4-4, 4-6-5, 6-13, 4-12, 8-8, ...) with an issuer prefix of a card network (Visa 4, Mastercard 51–55/2221–2720, Amex 34/37, JCB 35, Diners 30/36/38/39, UnionPay 62/81, Discover 60/64/65, domestic 9) and a right Luhn sum, unless the nearest keyword before it names an order (订单, 单号, order, tracking, ...) | `6222 **** **** 1234`, `6222********1234` |
 * | #FU_REDACT_LANDLINE_CN   | `0xx-xxxxxxxx`, `(0xxx) xxxxxxx`, `0xxx xxxx xxxx`, or 11–12 contiguous digits starting `0[1-9]`; also after `+86`/`0086`/`86` (`86-10-65529988`) | `010-****5678` |
 * | #FU_REDACT_E164          | numbers outside China: `+`/`(+cc)`/`00` and a country code (parts in parentheses allowed), North American `(415) 555-0134` / `1-800-555-0199`, national `07911 123456` | `+44 ** **** 0958`, `(41*) ***-0134` |
 * | #FU_REDACT_EMAIL         | `local@domain.tld`, also with non-ASCII local part or domain (`张三@例子.中国`) | `z***@example.com` |
 * | #FU_REDACT_PASSPORT_CN   | `E`+8 digits, `E`+letter+7 digits, `G`+8 digits (passports); after a permit keyword (港澳通行证, 通行证号, 回乡证, 回鄉證, 护照, permit no., travel permit, passport) also `C`+8 digits (travel permit to Hong Kong and Macau) and `H`/`M`+8 or 10 digits (Home Return Permit), which look like customer ids without it | `E*****678` |
 * | #FU_REDACT_BANK_ACCOUNT  | 10–30 digits (groups allowed) right after 账号, 账户, 帐号, 卡号, 银行卡, 对公账户, account, acct, a/c | `1100 **** **** 2345` |
 * | #FU_REDACT_EXTRA         | each caller pattern (#fu_redact_pattern)               | `*` per character, with `keep_head`/`keep_tail` characters kept, or the pattern's replacement text |
 *
 * **Normalisation.** What people type is matched as well as what machines
 * write: before matching, full-width digits, letters and `＠＋－．（）` read as
 * their ASCII forms, every Unicode space (ideographic space U+3000,
 * no-break and thin spaces, zero-width space) as a space, dashes and minus
 * signs (U+2010–U+2015, U+2212, U+FE58, U+FE63, U+30FC) as `-`, middle dots
 * (U+00B7, U+2027, U+30FB, U+2024) as `.`, and line and paragraph separators
 * (U+2028, U+2029, U+0085) as a line break. Between the digit groups of a
 * number up to three spaces or tabs, or one `-`, `.` or line break with up
 * to two spaces around it, are a separator (`138  1234  5678`,
 * `138.1234.5678`, `138\n1234\n5678`). The output keeps the original text
 * byte for byte outside the masked spans; inside one, the characters left
 * visible are copied as written (a full-width digit stays full-width) and
 * each hidden one becomes one mask character. Text without any character
 * to normalise is matched directly (no copy).
 *
 * Precision: order numbers, amounts, dates and times are not masked (no
 * built-in kind matches them: dates and times are too short or separated by
 * `:` and `/`, card numbers need an issuer prefix and a Luhn sum and are left
 * alone after an order keyword, ID numbers a province code and a birth date).
 * tests/data/redact/corpus.tsv holds the labelled variants the tests and
 * `bench_redact corpus` measure recall and false positives on.
 *
 * Digit masks keep the layout (separators, `+`, parentheses) and replace
 * each hidden digit by the mask character; the number of hidden digits is
 * therefore visible, which keeps the hint useful (which kind of number, its
 * last four digits) without revealing the number.
 *
 * Rules that hold for every built-in kind:
 * - A number is never taken out of a longer run of digits: a match neither
 *   starts right after a digit nor ends right before one, so the 11 digits of a
 *   mobile number inside a 20-digit order number are left alone, while a
 *   number directly next to Chinese characters or letters is found.
 * - When several kinds could match at the same place, the order of the table
 *   above decides (a valid ID before a card, a mobile before a landline).
 *   An 18-digit run with a wrong check digit is not an ID; it may still be a
 *   card if its Luhn sum is right.
 * - A match inside another one is dropped and the outer mask applies (a
 *   mobile number used as the local part of `13812345678@qq.com` gives
 *   `1***@qq.com`); matches that overlap partly are merged and the merged
 *   span is masked character by character.
 *
 * Matching uses PCRE2 with its JIT compiler where the platform has one, and
 * with a match limit, a depth limit and a heap limit, so that no pattern and
 * no input make a call run away: a call that reaches a limit fails with
 * #FU_ELIMIT and hands out nothing (the text is never returned unmasked).
 *
 * Thread-safety: a redactor is used by one thread at a time (it holds match
 * state and counters); create one per thread.
 */
#ifndef FOLLOWUP_REDACT_H
#define FOLLOWUP_REDACT_H

#include "followup/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a masked span was recognised as. */
typedef enum fu_redact_kind {
    FU_REDACT_MOBILE_CN = 0, /**< Chinese mobile number */
    FU_REDACT_LANDLINE_CN,   /**< Chinese landline with area code */
    FU_REDACT_E164,          /**< international number in E.164 form (`+` ...) */
    FU_REDACT_ID_CN,         /**< 18-digit resident identity card number */
    FU_REDACT_BANK_CARD,     /**< bank card number (Luhn) */
    FU_REDACT_EMAIL,         /**< e-mail address */
    FU_REDACT_EXTRA,         /**< one of the caller's patterns */
    FU_REDACT_PASSPORT_CN,   /**< Chinese passport or travel permit number (E12345678) */
    FU_REDACT_BANK_ACCOUNT,  /**< a bank account number named as one (账号, account no.) */
    FU_REDACT_KIND_COUNT
} fu_redact_kind;

/** Bit of a kind in #fu_redact_options.kinds. */
#define FU_REDACT_BIT(kind) (1u << (kind))
/** Every built-in kind. */
#define FU_REDACT_ALL_BUILTIN                                                        \
    (FU_REDACT_BIT(FU_REDACT_MOBILE_CN) | FU_REDACT_BIT(FU_REDACT_LANDLINE_CN) |     \
     FU_REDACT_BIT(FU_REDACT_E164) | FU_REDACT_BIT(FU_REDACT_ID_CN) |                \
     FU_REDACT_BIT(FU_REDACT_BANK_CARD) | FU_REDACT_BIT(FU_REDACT_EMAIL) |           \
     FU_REDACT_BIT(FU_REDACT_PASSPORT_CN) | FU_REDACT_BIT(FU_REDACT_BANK_ACCOUNT))

/**
 * A pattern of the caller's (for instance from the policy's `redaction`
 * section). `pattern` is a PCRE2 regular expression in UTF-8 and is compiled
 * in UTF mode; it runs on the normalised text. The whole match is masked,
 * except for its first `keep_head` and last `keep_tail` characters (code
 * points); a match of at most `keep_head + keep_tail` characters is masked
 * entirely.
 */
typedef struct fu_redact_pattern {
    const char *name;        /**< a name for errors and counts; NULL gives "extra[i]" */
    const char *pattern;     /**< PCRE2 pattern, NUL-terminated UTF-8 */
    unsigned int keep_head;  /**< characters left visible at the start */
    unsigned int keep_tail;  /**< characters left visible at the end */
    const char *replacement; /**< NULL, or a text that replaces the whole match
                                  (then keep_head and keep_tail are not used) */
    int ignore_case;         /**< 1: match without regard to case */
} fu_redact_pattern;

/** Turn the JIT compiler off (for debugging; the interpreter is slower). */
#define FU_REDACT_NO_JIT 0x1u
/**
 * Also find numbers written in Chinese numerals, as voice transcripts give
 * them: `一三八一二三四五六七八`, with 幺 for 1, 两 for 2, 〇, 零 or ○ for
 * 0, mixed with ASCII or full-width digits, separated by spaces or dashes
 * (`幺三八 1234 五六七八`). A run of at least 7 digits of which at least 2
 * are Chinese numerals, with up to 3 spaces or dashes between digits, reads
 * as ASCII digits before matching (a run spelled out one or two digits at a
 * time also loses its separators); the mask keeps the characters as written
 * (`一三八****五六七八`). Amounts (`一万三千八百元`), dates (`二〇二六年`)
 * and a numeral next to a number (`第一13812345678`) are not read as
 * digits. Opt-in: it costs a pass over the text (policy
 * `redaction.cjk_numerals`).
 */
#define FU_REDACT_CJK_NUMERALS 0x2u

/** How to build a redactor. Start from #FU_REDACT_OPTIONS_INIT. */
typedef struct fu_redact_options {
    unsigned int version;            /**< #FU_REDACT_OPTIONS_VERSION */
    unsigned int kinds;              /**< built-in kinds to mask, #FU_REDACT_BIT bits */
    const fu_redact_pattern *extra;  /**< caller patterns, copied by fu_redactor_new() */
    size_t n_extra;                  /**< number of entries in `extra` */
    char mask_char;                  /**< the mask character, ASCII; 0 means '*' */
    uint32_t match_limit;            /**< PCRE2 match limit per call; 0: 1,000,000 */
    uint32_t depth_limit;            /**< PCRE2 depth limit; 0: 10,000 */
    unsigned int flags;              /**< #FU_REDACT_NO_JIT, #FU_REDACT_CJK_NUMERALS */
} fu_redact_options;

#define FU_REDACT_OPTIONS_VERSION 1
#define FU_REDACT_OPTIONS_INIT \
    { FU_REDACT_OPTIONS_VERSION, FU_REDACT_ALL_BUILTIN, NULL, 0, '*', 0, 0, 0 }

/** Fill `opts` with the defaults (same as #FU_REDACT_OPTIONS_INIT). */
FU_EXTERN void fu_redact_options_init(fu_redact_options *opts);

/** A compiled redactor (opaque). Threads: one thread at a time (it keeps match
 *  counters and match data). */
typedef struct fu_redactor fu_redactor;

/**
 * Compile a redactor.
 *
 * @param[out] out   the new redactor, owned by the caller (fu_redactor_free())
 * @param opts       options, NULL for the defaults (every built-in kind, no
 *                   extra pattern); the patterns are copied
 * @return #FU_OK; #FU_EINVAL for a bad argument or an unknown options
 *         version; #FU_EPARSE when an extra pattern does not compile (the
 *         error names the pattern and the offset); #FU_ENOMEM.
 */
FU_EXTERN int fu_redactor_new(fu_redactor **out, const fu_redact_options *opts);

typedef struct fu_policy fu_policy; /* followup/policy.h; C11 allows the repeat */

/**
 * A redactor as a policy's `redaction` section asks for: the built-in kinds
 * switched on there (`phone` covers mobile, landline and E.164 numbers;
 * `id_number`, `bank_card`, `email`), and its `extra` patterns, each match
 * replaced by the pattern's `replacement` text. With `enabled: false` the
 * redactor masks nothing (the host's explicit opt-out). `id_number` also
 * covers passports, `bank_card` also bank accounts named as such.
 * @return as fu_redactor_new(); #FU_EINVAL for a NULL policy.
 */
FU_EXTERN int fu_redactor_new_from_policy(fu_redactor **out, const fu_policy *policy);

/** Free a redactor. NULL is a no-op. */
FU_EXTERN void fu_redactor_free(fu_redactor *r);

/**
 * Mask `len` bytes of `text`.
 *
 * The string out-parameters follow the library's order (length, then text:
 * `size_t *len, char **out`, see docs/api.md "Conventions"); it used to be
 * `char **out, size_t *out_len` in 0.1.0.
 *
 * @param r the redactor
 * @param text the text to mask (UTF-8)
 * @param len its length in bytes
 * @param[out] out_len  length of the masked text without the NUL; may be NULL
 * @param[out] out      the masked text, NUL-terminated, owned by the caller
 *                      (fu_free()); on failure set to NULL
 * @return #FU_OK; #FU_ELIMIT when a pattern hit the match, depth or heap limit
 *         (nothing is handed out); #FU_EINVAL (also for ill-formed UTF-8: the
 *         error names the byte offset, line and column); #FU_ENOMEM.
 */
FU_EXTERN int fu_redactor_apply(fu_redactor *r, const char *text, size_t len, size_t *out_len,
                                char **out);

/**
 * Mask `len` bytes of `text` into the caller's buffer `buf` of `cap` bytes
 * (no allocation when the redactor's scratch space is warm): the same masked
 * text as fu_redactor_apply(), NUL-terminated.
 *
 * A masked text is at most `len` bytes plus 3 a masked e-mail address plus
 * the length of each extra pattern's replacement text; `cap` = 2 * `len` + 1
 * holds every result of the built-in kinds.
 *
 * @param r the redactor
 * @param text the text to mask (UTF-8)
 * @param len its length in bytes
 * @param[out] buf the caller's buffer
 * @param cap its capacity in bytes
 * @param[out] out_len  length of the masked text without the NUL; when `cap`
 *                      is too small, the size `buf` needs (NUL included)
 * @return the number of spans masked (0: the text comes back unchanged);
 *         #FU_ERANGE when `cap` is too small (nothing written, no count
 *         changed: call again with *out_len bytes); otherwise as
 *         fu_redactor_apply() (#FU_ELIMIT, #FU_EINVAL, #FU_ENOMEM).
 */
FU_EXTERN int fu_redactor_apply_into(fu_redactor *r, const char *text, size_t len, char *buf, size_t cap,
                                     size_t *out_len);

/** Flag of fu_redactor_apply_into_flags(): the text is known to be
 *  well-formed UTF-8 (e.g. the UTF-8 of a Python str): the redactor skips
 *  its own check. Passing ill-formed UTF-8 then is undefined behaviour. */
#define FU_REDACT_TEXT_VALID_UTF8 0x1u

/**
 * fu_redactor_apply_into() with `flags` (#FU_REDACT_TEXT_VALID_UTF8 or 0):
 * the same masked text, the same counts and return values; other bits are
 * #FU_EINVAL (nothing written, nothing counted).
 */
FU_EXTERN int fu_redactor_apply_into_flags(fu_redactor *r, const char *text, size_t len, unsigned int flags,
                                           char *buf, size_t cap, size_t *out_len);

/**
 * Mask `n` texts in one call.
 *
 * The results are stored one after another, each NUL-terminated, in one
 * buffer handed out through `out` (free it with fu_free()). Result `i` starts
 * at `out + offsets[i]` and is `offsets[i + 1] - offsets[i] - 1` bytes long.
 *
 * @param r the redactor
 * @param texts    `n` texts
 * @param lens     their lengths in bytes, or NULL when the texts are NUL-terminated
 * @param offsets  caller-provided array of `n + 1` entries, filled on success
 * @param[out] out the buffer of results, NULL on failure
 * @param n the number of texts
 * @return as fu_redactor_apply(); on failure no text is handed out.
 */
FU_EXTERN int fu_redactor_apply_bulk(fu_redactor *r, const char *const *texts, const size_t *lens,
                                     size_t n, size_t *offsets, char **out);

/** How many spans a redactor masked, by kind, since creation or the last reset. */
typedef struct fu_redact_stats {
    size_t by_kind[FU_REDACT_KIND_COUNT]; /**< indexed by #fu_redact_kind */
    size_t total;                         /**< sum of `by_kind` */
} fu_redact_stats;

/** Copy the running counts of `r` into `out` (all 0 for a NULL redactor;
 *  NULL `out` is a no-op), like fu_book_get_stats() and fu_plan_get_stats(). */
FU_EXTERN void fu_redactor_get_stats(const fu_redactor *r, fu_redact_stats *out);

/** Deprecated name of #fu_redact_stats. */
typedef fu_redact_stats fu_redact_counts;

/** Deprecated: fu_redactor_get_stats() (same result). */
FU_EXTERN void fu_redactor_counts(const fu_redactor *r, fu_redact_stats *counts);

/** Count of matches of extra pattern `index` (0 when out of range). */
FU_EXTERN size_t fu_redactor_extra_count(const fu_redactor *r, size_t index);

/** Set every running count to 0 (what fu_redactor_get_stats() and
 *  fu_redactor_extra_count() report). NULL is a no-op. */
FU_EXTERN void fu_redactor_reset_stats(fu_redactor *r);

/** Deprecated: fu_redactor_reset_stats(). */
FU_EXTERN void fu_redactor_reset_counts(fu_redactor *r);

/** Whether the redactor runs JIT-compiled code (1) or the interpreter (0). */
FU_EXTERN int fu_redactor_uses_jit(const fu_redactor *r);

/** A short static name of a kind ("mobile_cn", "id_cn", ...); "unknown" otherwise. */
FU_EXTERN const char *fu_redact_kind_name(fu_redact_kind kind);

/**
 * Whether `s` (`len` bytes) is an 18-character resident ID number whose last
 * character is the ISO 7064 MOD 11-2 check character of the first 17 digits
 * (`X` or `x` for 10). The birth date is not checked here.
 */
FU_EXTERN int fu_redact_id_cn_valid(const char *s, size_t len);

/**
 * Whether the digits of `s` (`len` bytes; spaces and hyphens are skipped,
 * anything else makes it invalid) pass the Luhn check. Fewer than 2 digits is
 * invalid.
 */
FU_EXTERN int fu_redact_luhn_valid(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_REDACT_H */
