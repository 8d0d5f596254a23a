/* The followup tool's one JSON writer: every --format json output goes
 * through it, so strings are escaped and checked to be UTF-8 and values are
 * typed (numbers as numbers, booleans, null) the same way everywhere. */
#ifndef FU_CLI_JSON_H
#define FU_CLI_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Column types of a table (cli_table_set_types), one letter per column:
 *   's' string (the default)          'S' string, an empty cell is null
 *   'n' number, an empty or non-numeric cell ("never", "n/a") is null
 *   'b' boolean: yes/true/1 are true, no/false/0 false, anything else null
 *   't' instant: an ISO 8601 string; an empty cell and "never" (no instant:
 *       the table and CSV say so in words) are null */
enum { CLI_JSON_STRING = 's', CLI_JSON_NSTRING = 'S', CLI_JSON_NUMBER = 'n', CLI_JSON_BOOL = 'b', CLI_JSON_TIME = 't' };

/* Length of the valid UTF-8 prefix of s (NUL-terminated): equal to strlen(s)
 * when all of s is well-formed UTF-8 (no overlongs, surrogates or code points
 * past U+10FFFF). */
size_t cli_utf8_valid_prefix(const char *s);

/* Write s as a JSON string. -1 (nothing written) when s is not valid UTF-8. */
int cli_json_string(FILE *out, const char *s);
/* Write the cell text as a JSON value of `type`. -1 on invalid UTF-8. */
int cli_json_value(FILE *out, int type, const char *text);
/* Write a number: finite doubles as the shortest round-tripping %.17g, NaN
 * and infinities as null (JSON has no literal for them). */
void cli_json_number(FILE *out, double v);
/* True when text is a complete JSON number (RFC 8259 grammar). */
int cli_json_is_number(const char *text);

#endif
