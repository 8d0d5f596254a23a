/* Invisible characters in the ids of the book's CSV readers (review s13
 * I20): a byte order mark in the middle of a file (two exports joined), a
 * zero-width space or a bidi mark copied along with an id make an id that
 * looks like another and that no other file names. Not installed. */
#ifndef FU_BOOK_IDS_H
#define FU_BOOK_IDS_H

#include "followup/book.h"

#include <stddef.h>

/* FU_OK when the id s[0..len) holds no invisible character (U+00AD,
 * U+061C, U+180E, U+200B..U+200F, U+202A..U+202E, U+2060..U+2064,
 * U+2066..U+2069, U+FEFF); else FU_EPARSE with the error set ("an invisible
 * character U+FEFF (byte order mark) in the id ...") and *at the byte
 * offset of the character in the id. */
int fu__id_check_invisible(const char *s, size_t len, unsigned long *at);

/* For the current "unknown customer" error (code rc) of the id
 * s[0..len): says what makes the id differ from one of the book's, when the
 * id holds an invisible character or the book has the same id with one in
 * front or after it; the error as it was otherwise. Returns rc. */
int fu__id_unknown_hint(const fu_book *b, const char *s, size_t len, int rc);

#endif
