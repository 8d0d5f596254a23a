/* The followup tool's JSON writer (json.h). */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t cli_utf8_valid_prefix(const char *s) {
    const unsigned char *p = (const unsigned char *)s, *start = p;
    while (*p) {
        unsigned c = *p, cp, n;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else break;
        unsigned i;
        for (i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) break;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (i <= n) break;
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            break;
        p += n + 1;
    }
    return (size_t)(p - start);
}

int cli_json_string(FILE *out, const char *s) {
    if (!s) s = "";
    if (s[cli_utf8_valid_prefix(s)] != '\0') return -1;
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20 || *p == 0x7F) fprintf(out, "\\u%04x", *p);
            else fputc(*p, out);
        }
    }
    fputc('"', out);
    return 0;
}

int cli_json_is_number(const char *s) {
    const char *p = s;
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9') p++;
    else return 0;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9')) return 0;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return 0;
        while (*p >= '0' && *p <= '9') p++;
    }
    return *p == '\0';
}

void cli_json_number(FILE *out, double v) {
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, out);
}

/* A number cell as written by the tool: a JSON number as it is, another
 * decimal spelling ("+3", ".5", "007") normalised, anything else ("", "never",
 * "45.0%", "nan", "0x10") null. */
static void write_number_cell(FILE *out, const char *text) {
    if (cli_json_is_number(text)) {
        fputs(text, out);
        return;
    }
    char *end = NULL;
    double v = *text && text[strspn(text, "0123456789+-.eE")] == '\0' ? strtod(text, &end) : NAN;
    if (end && *end == '\0' && end != text)
        cli_json_number(out, v);
    else
        fputs("null", out);
}

int cli_json_value(FILE *out, int type, const char *text) {
    if (!text) text = "";
    switch (type) {
    case CLI_JSON_NUMBER: write_number_cell(out, text); return 0;
    case CLI_JSON_BOOL:
        if (!strcmp(text, "yes") || !strcmp(text, "true") || !strcmp(text, "1")) fputs("true", out);
        else if (!strcmp(text, "no") || !strcmp(text, "false") || !strcmp(text, "0")) fputs("false", out);
        else fputs("null", out);
        return 0;
    case CLI_JSON_TIME:
    case CLI_JSON_NSTRING:
        if (!*text || (type == CLI_JSON_TIME && !strcmp(text, "never"))) {
            fputs("null", out);
            return 0;
        }
        return cli_json_string(out, text);
    default: return cli_json_string(out, text);
    }
}
