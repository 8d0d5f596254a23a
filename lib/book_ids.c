/* Invisible characters in ids (lib/book_ids.h, review s13 I20). Only the
 * check's first loop runs for an ordinary id: it looks for a byte of a
 * multi-byte character and finds none. */
#include "book_ids.h"

#include "errtext.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

typedef struct invisible {
    unsigned long cp;
    const char *utf8;
    const char *name;
} invisible;

static const invisible INVISIBLE[] = {
    {0x00AD, "\xC2\xAD", "soft hyphen"},
    {0x061C, "\xD8\x9C", "Arabic letter mark"},
    {0x180E, "\xE1\xA0\x8E", "Mongolian vowel separator"},
    {0x200B, "\xE2\x80\x8B", "zero width space"},
    {0x200C, "\xE2\x80\x8C", "zero width non-joiner"},
    {0x200D, "\xE2\x80\x8D", "zero width joiner"},
    {0x200E, "\xE2\x80\x8E", "left-to-right mark"},
    {0x200F, "\xE2\x80\x8F", "right-to-left mark"},
    {0x202A, "\xE2\x80\xAA", "left-to-right embedding"},
    {0x202B, "\xE2\x80\xAB", "right-to-left embedding"},
    {0x202C, "\xE2\x80\xAC", "pop directional formatting"},
    {0x202D, "\xE2\x80\xAD", "left-to-right override"},
    {0x202E, "\xE2\x80\xAE", "right-to-left override"},
    {0x2060, "\xE2\x81\xA0", "word joiner"},
    {0x2061, "\xE2\x81\xA1", "function application"},
    {0x2062, "\xE2\x81\xA2", "invisible times"},
    {0x2063, "\xE2\x81\xA3", "invisible separator"},
    {0x2064, "\xE2\x81\xA4", "invisible plus"},
    {0x2066, "\xE2\x81\xA6", "left-to-right isolate"},
    {0x2067, "\xE2\x81\xA7", "right-to-left isolate"},
    {0x2068, "\xE2\x81\xA8", "first strong isolate"},
    {0x2069, "\xE2\x81\xA9", "pop directional isolate"},
    {0xFEFF, "\xEF\xBB\xBF", "byte order mark"},
};
#define N_INVISIBLE (sizeof INVISIBLE / sizeof INVISIBLE[0])

/* The invisible character at s[i] (n bytes in all), or NULL. */
static const invisible *invisible_at(const unsigned char *s, size_t n, size_t i) {
    if (s[i] != 0xC2 && s[i] != 0xD8 && s[i] != 0xE1 && s[i] != 0xE2 && s[i] != 0xEF) return NULL;
    for (size_t k = 0; k < N_INVISIBLE; k++) {
        size_t m = strlen(INVISIBLE[k].utf8);
        if (i + m <= n && !memcmp(s + i, INVISIBLE[k].utf8, m)) return &INVISIBLE[k];
    }
    return NULL;
}

/* The first invisible character of s[0..n), its offset in *at; NULL when none. */
static const invisible *first_invisible(const char *text, size_t n, size_t *at) {
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n && s[i] < 0x80) i++;
    for (; i < n; i++) {
        const invisible *v = s[i] >= 0x80 ? invisible_at(s, n, i) : NULL;
        if (v) {
            *at = i;
            return v;
        }
    }
    return NULL;
}

int fu__id_check_invisible(const char *s, size_t len, unsigned long *at) {
    size_t i = 0;
    const invisible *v = first_invisible(s, len, &i);
    if (!v) return FU_OK;
    *at = (unsigned long)i;
    return fu__error_set(FU_EPARSE, "an invisible character U+%04lX (%s) at byte %zu of the id: ids are compared "
                         "byte for byte, and this one would differ from the same id without it%s",
                         v->cp, v->name, i,
                         v->cp == 0xFEFF ? " (a byte order mark inside the file: two files joined?)" : "");
}

int fu__id_unknown_hint(const fu_book *b, const char *s, size_t len, int rc) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
    size_t i = 0;
    const invisible *v = first_invisible(s, len, &i);
    if (v)
        return fu__error_set(rc, "%s (the id holds an invisible character U+%04lX (%s) at byte %zu)", msg, v->cp,
                             v->name, i);
    char buf[256];
    for (size_t k = 0; k < N_INVISIBLE && len + 3 < sizeof buf; k++) {
        size_t m = strlen(INVISIBLE[k].utf8), found;
        for (int after = 0; after < 2; after++) {
            memcpy(buf + (after ? 0 : m), s, len);
            memcpy(buf + (after ? len : 0), INVISIBLE[k].utf8, m);
            if (fu_book_find_customer(b, buf, len + m, &found) == FU_OK)
                return fu__error_set(rc, "%s (the book has customer %zu with this id and an invisible U+%04lX (%s) "
                                     "%s it)", msg, found, INVISIBLE[k].cp, INVISIBLE[k].name,
                                     after ? "after" : "in front of");
        }
    }
    return fu__error_set(rc, "%s", msg);
}
