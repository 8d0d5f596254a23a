/* Text put into error messages (lib/errtext.c): every message stays
 * well-formed UTF-8 however it was cut, and a cell of input echoed in a
 * message is quoted safely. Not installed. */
#ifndef FU_ERRTEXT_H
#define FU_ERRTEXT_H

#include <stddef.h>

/* The ellipsis (U+2026) a cut text ends with. */
#define FU_ERRTEXT_ELLIPSIS "\xE2\x80\xA6"

/* Copy the NUL-terminated `src` into dst (cap >= 4 bytes, NUL included) as
 * well-formed UTF-8 without control characters: a sequence cut short (what
 * "%.40s" leaves of a Chinese character) becomes U+2026 "…", any other
 * ill-formed byte U+FFFD; control characters (C0, DEL, C1: an ANSI escape, a
 * line break in a quoted cell) are written as escapes (\n \r \t \xHH
 * \u00HH), as fu__errtext_cell() writes them; text
 * that does not fit is cut at a character boundary and ends with "…", as
 * it does when `cut` is nonzero (src is already a cut text). Returns the
 * length written. */
size_t fu__errtext_repair(char *dst, size_t cap, const char *src, int cut);

/* The well-formed `src` into dst (cap bytes, NUL included) as snprintf
 * copies it, but cut at a character boundary (no ellipsis): for
 * fu_error_format(), whose return value says it was cut. */
size_t fu__errtext_cut(char *dst, size_t cap, const char *src);

/* Most characters of a cell fu__errtext_cell() keeps. */
#define FU_ERRTEXT_CELL_CHARS 40

/* A cell of input (len bytes; need not be valid UTF-8 or NUL-terminated)
 * as it may appear in an error message, written to buf (cap >= 8, NUL
 * included) and returned. For a cell of a column that is no personal data
 * (an id, a time, a number, a code, a name of a zone or an enum: review r3
 * L5), only what has the shape of personal data is masked:
 *   - control characters (U+0000–U+001F, U+007F, U+0080–U+009F) escaped:
 *     \n \r \t, others \xHH (ESC of an ANSI sequence is \x1B); a backslash
 *     is doubled; ill-formed UTF-8 bytes are \xHH too;
 *   - numbers the built-in redactor recognises (docs/redaction.md), in
 *     ASCII or full-width digits, grouped as people type them (138 1234
 *     5678, 138-1234-5678, (415) 555-0134): mobile numbers (also after 86
 *     or 0086), resident IDs (18 with province, birth date and check
 *     character; 15 with province and birth date), bank cards (a network's
 *     prefix and length, Luhn), landlines, numbers after '+' or 00, North
 *     American numbers, passports (E12345678), and any number of 7 or more
 *     digits right after a phone, ID, card or account keyword (手机, 身份证,
 *     账号, tel, ...): masked as fu_redact masks numbers, keeping the last 4
 *     digits and, from 11 digits on, the first 3 (13812345678 ->
 *     138****5678, 110105199001011232 -> 110***********1232; a passport
 *     keeps its letter and last 3 digits); other numbers stay readable
 *     (CUST2024000019999, 1733212800, 2026-11-20);
 *   - e-mail addresses (a local part of ASCII characters or letters of
 *     other scripts, full-width forms read as ASCII, '@' or '＠' with at
 *     most one space on either side, a domain of two or more labels joined
 *     by '.' or '。') keep the first character of their local part:
 *     zhang.san@example.com -> z***@example.com, 邮箱张三@例子.中国 ->
 *     邮***@例子.中国 (as the redactor: other text running into a local
 *     part of another script is masked with it);
 *   - at most FU_ERRTEXT_CELL_CHARS characters of the cell, cut at a
 *     character boundary and ending with "…".
 * Uses no allocation. */
const char *fu__errtext_cell(char *buf, size_t cap, const char *cell, size_t len);

/* fu__errtext_cell() for a cell of a personal-data column (a note, an
 * owner, an agent, a contact's name or number): every number of 7 or more
 * digits is masked too, whatever its shape (1234567 -> ***4567). */
const char *fu__errtext_cell_personal(char *buf, size_t cap, const char *cell, size_t len);

/* fu__errtext_cell() of a NUL-terminated string (NULL: ""). */
const char *fu__errtext_cell_str(char *buf, size_t cap, const char *cell);

/* A buffer big enough for any fu__errtext_cell() result. */
#define FU_ERRTEXT_CELL_CAP (FU_ERRTEXT_CELL_CHARS * 4 + 8)

/* Whether the NUL-terminated free text s (an agent id, an owner) may hold
 * something the redactor masks: an '@' or '＠' (an e-mail address) or 6 or
 * more digits in all (ASCII, full-width, Chinese numerals). Every kind the
 * built-in redactor masks has one of them; an ordinary id (A17, 王经理)
 * has none, so the writers and the KPI labels that mask such text (review
 * s9 F6) make no redactor for it. */
int fu__text_may_hold_personal_data(const char *s);

#endif /* FU_ERRTEXT_H */
