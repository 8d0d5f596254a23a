/* Comparing short byte strings as words: the CSV reader's memos and the
 * string table (lib/book.c, lib/book_csv.c, lib/book_strtab.c). */
#ifndef FU_BYTES_INTERNAL_H
#define FU_BYTES_INTERNAL_H

#include <assert.h>
#include <stdint.h>
#include <string.h>

/* Whether the n (<= 16) bytes at a and b are equal: the first and last 8, 4
 * or 2 bytes as words (overlapping, never past the n bytes), or the one
 * byte. */
static inline int fu__same_short(const char *a, const char *b, size_t n) {
    assert(n <= 16); /* longer: memcmp (the words compare only the first and last 8) */
    if (n >= 8) {
        uint64_t w, x, y, z;
        memcpy(&w, a, 8), memcpy(&x, b, 8), memcpy(&y, a + n - 8, 8), memcpy(&z, b + n - 8, 8);
        return ((w ^ x) | (y ^ z)) == 0;
    }
    if (n >= 4) {
        uint32_t w, x, y, z;
        memcpy(&w, a, 4), memcpy(&x, b, 4), memcpy(&y, a + n - 4, 4), memcpy(&z, b + n - 4, 4);
        return ((w ^ x) | (y ^ z)) == 0;
    }
    if (n >= 2) {
        uint16_t w, x, y, z;
        memcpy(&w, a, 2), memcpy(&x, b, 2), memcpy(&y, a + n - 2, 2), memcpy(&z, b + n - 2, 2);
        return ((w ^ x) | (y ^ z)) == 0;
    }
    return n == 0 || a[0] == b[0];
}

#endif /* FU_BYTES_INTERNAL_H */
