/* Version, thread-local error detail and the replaceable allocator. */
#include "internal.h"
#include "errtext.h"
#include "utf8_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ version */

const char *fu_version(void) { return FU_VERSION_STRING; }
int fu_version_number(void) { return FU_VERSION_NUMBER; }

/* -------------------------------------------------------------------- errors */

/* Fixed thread-local storage: raising an error never allocates, so an
 * out-of-memory condition can always be reported. */
#define FU_ERR_MSG 1024
#define FU_ERR_SRC 512
#define FU_ERR_PATH 256

typedef struct fu__error_tls {
    fu_error pub;
    char message[FU_ERR_MSG];
    char source[FU_ERR_SRC];
    char path[FU_ERR_PATH];
} fu__error_tls;

static _Thread_local fu__error_tls tls_error;

static fu__error_tls *error_tls(void) {
    fu__error_tls *e = &tls_error;
    if (e->pub.message == NULL) { /* first use on this thread */
        e->pub.code = FU_OK;
        strcpy(e->message, "no error");
        e->pub.message = e->message;
        e->pub.source = e->source;
        e->pub.path = e->path;
    }
    return e;
}

const fu_error *fu_error_last(void) { return &error_tls()->pub; }

void fu_error_clear(void) {
    fu__error_tls *e = error_tls();
    e->pub.code = FU_OK;
    strcpy(e->message, "no error");
    e->source[0] = '\0';
    e->path[0] = '\0';
    e->pub.line = 0;
    e->pub.column = 0;
}

const char *fu_strerror(int code) {
    switch (code) {
    case FU_OK: return "success";
    case FU_ERROR: return "error";
    case FU_ENOMEM: return "out of memory";
    case FU_EINVAL: return "invalid argument";
    case FU_EPARSE: return "parse error";
    case FU_EPOLICY: return "invalid policy";
    case FU_ENOTFOUND: return "not found";
    case FU_EIO: return "input/output error";
    case FU_ERANGE: return "value out of range";
    case FU_ETIMEZONE: return "unknown time zone";
    case FU_ESTATE: return "operation not allowed in this state";
    case FU_EDB: return "storage error";
    case FU_ECONVERGE: return "model fit did not converge";
    case FU_ELIMIT: return "input exceeds a limit";
    case FU_EEXISTS: return "already exists";
    case FU_ECANCELED: return "canceled";
    default: return "unknown error";
    }
}

/* ------------------------------------------------------------------- cancel */

static _Thread_local fu_cancel_fn tls_cancel_fn;
static _Thread_local void *tls_cancel_ud;

void fu_set_cancel_hook(fu_cancel_fn fn, void *ud) {
    tls_cancel_fn = fn;
    tls_cancel_ud = fn ? ud : NULL;
}

void fu_get_cancel_hook(fu_cancel_fn *fn, void **ud) {
    if (fn) *fn = tls_cancel_fn;
    if (ud) *ud = tls_cancel_ud;
}

int fu__cancel_check(void) {
    if (tls_cancel_fn && tls_cancel_fn(tls_cancel_ud))
        return fu__error_set(FU_ECANCELED, "canceled by the cancel hook");
    return FU_OK;
}

/* src into dst (cap bytes), cut at a character boundary with an ellipsis
 * when it does not fit, repaired when a caller's "%.40s" cut a character
 * (lib/errtext.c): messages are always well-formed UTF-8. */
static void copy_trunc(char *dst, size_t cap, const char *src) {
    fu__errtext_repair(dst, cap, src, 0);
}

/* The message is formatted before anything is cleared, so that the
 * arguments may be the current error's own fields (fu_error_last()). */
int fu__error_setv(int code, const char *fmt, va_list ap) {
    fu__error_tls *e = error_tls();
    char msg[FU_ERR_MSG], raw[FU_ERR_MSG * 2];
    if (fmt) {
        int n = vsnprintf(raw, sizeof raw, fmt, ap);
        fu__errtext_repair(msg, sizeof msg, n < 0 ? fu_strerror(code) : raw, n >= (int)sizeof raw);
    } else {
        copy_trunc(msg, sizeof msg, fu_strerror(code));
    }
    e->pub.code = code;
    e->pub.line = 0;
    e->pub.column = 0;
    e->source[0] = '\0';
    e->path[0] = '\0';
    memcpy(e->message, msg, sizeof msg);
    return code;
}

static void error_position(const char *source, unsigned long line, unsigned long column,
                           const char *path) {
    fu__error_tls *e = error_tls();
    copy_trunc(e->source, sizeof e->source, source);
    copy_trunc(e->path, sizeof e->path, path);
    e->pub.line = line;
    e->pub.column = column;
}

int fu__error_set_atv(int code, const char *source, unsigned long line, unsigned long column, const char *path,
                      const char *fmt, va_list ap) {
    fu__error_setv(code, fmt, ap);
    error_position(source, line, column, path);
    return code;
}

int fu__error_nomem(void) { return fu__error_set(FU_ENOMEM, "out of memory"); }

/* The public forms (common.h) for code outside the library. */
int fu_error_set(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fu__error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

int fu_error_set_at(int code, const char *source, unsigned long line, unsigned long column,
                    const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fu__error_set_atv(code, source, line, column, path, fmt, ap);
    va_end(ap);
    return code;
}

void fu_error_prefix(const char *fmt, ...) {
    fu__error_tls *e = error_tls();
    char joined[FU_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(joined, sizeof joined, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = strlen(joined);
    if (len + 2 < sizeof joined) {
        memcpy(joined + len, ": ", 3);
        copy_trunc(joined + len + 2, sizeof joined - len - 2, e->message);
    }
    fu__errtext_repair(e->message, sizeof e->message, joined, (size_t)n >= sizeof joined);
}

size_t fu_error_format(char *buf, size_t size) {
    const fu_error *e = fu_error_last();
    char tmp[FU_ERR_MSG + FU_ERR_SRC + FU_ERR_PATH + 64];
    size_t n = 0;
    if (e->source[0]) {
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%s:", e->source);
        if (e->line) {
            n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%lu:", e->line);
            if (e->column) n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%lu:", e->column);
        }
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, " ");
    }
    if (e->path[0]) n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%s: ", e->path);
    snprintf(tmp + n, sizeof tmp - n, "%s", e->message);
    size_t len = strlen(tmp);
    if (buf && size) fu__errtext_cut(buf, size, tmp); /* its parts are well-formed already */
    return len;
}

/* ----------------------------------------------------------------- allocator */

static void *std_malloc(size_t size, void *ud) { (void)ud; return malloc(size); }
static void *std_realloc(void *p, size_t size, void *ud) { (void)ud; return realloc(p, size); }
static void std_free(void *p, void *ud) { (void)ud; free(p); }

/* Process-wide configuration, written only by fu_set_allocator before use. */
static fu_allocator alloc_cfg = {std_malloc, std_realloc, std_free, NULL};

int fu_set_allocator(const fu_allocator *a) {
    if (a == NULL) {
        alloc_cfg.malloc = std_malloc;
        alloc_cfg.realloc = std_realloc;
        alloc_cfg.free = std_free;
        alloc_cfg.ud = NULL;
        return FU_OK;
    }
    if (!a->malloc || !a->realloc || !a->free)
        return fu__error_set(FU_EINVAL, "allocator needs malloc, realloc and free");
    alloc_cfg = *a;
    return FU_OK;
}

int fu__allocator_is_default(void) { return alloc_cfg.malloc == std_malloc; }

void *fu__malloc(size_t size) {
    if (size == 0) size = 1;
    return alloc_cfg.malloc(size, alloc_cfg.ud);
}

void *fu__calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    size_t total = count * size;
    void *p = fu__malloc(total);
    if (p) memset(p, 0, total ? total : 1);
    return p;
}

void *fu__realloc(void *ptr, size_t size) {
    if (size == 0) {
        fu__free(ptr);
        return NULL;
    }
    if (ptr == NULL) return fu__malloc(size);
    return alloc_cfg.realloc(ptr, size, alloc_cfg.ud);
}

void fu__free(void *ptr) {
    if (ptr) alloc_cfg.free(ptr, alloc_cfg.ud);
}

void fu_free(void *ptr) { fu__free(ptr); }

int fu__options_copy(void *dst, const void *opts, size_t size, unsigned int version, unsigned int want,
                     const char *what) {
    if (!opts) return FU_OK;
    if (version != want) return fu__error_set(FU_EINVAL, "%s version %u, expected %u", what, version, want);
    memcpy(dst, opts, size);
    return FU_OK;
}

void fu__free_each(void *const *ptrs, size_t n) {
    for (size_t i = 0; i < n; i++) fu__free(ptrs[i]);
}

char *fu__strndup(const char *s, size_t n) {
    char *d = fu__malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *fu__strdup(const char *s) { return s ? fu__strndup(s, strlen(s)) : NULL; }

char *fu_strdup(const char *s) {
    if (!s) return NULL;
    char *d = fu__strdup(s);
    if (!d) fu__error_nomem();
    return d;
}

int fu__grow(void **ptr, size_t *cap, size_t need, size_t elem_size) {
    if (need <= *cap) return FU_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return fu__error_set(FU_ELIMIT, "array too large");
        ncap *= 2;
    }
    if (elem_size && ncap > SIZE_MAX / elem_size)
        return fu__error_set(FU_ELIMIT, "array too large");
    void *p = fu__realloc(*ptr, ncap * elem_size);
    if (!p) return fu__error_nomem();
    *ptr = p;
    *cap = ncap;
    return FU_OK;
}

/* -------------------------------------------------------------------- buffer */

int fu__buf_append(fu__buf *b, const char *s, size_t n) {
    if (b->failed) return FU_ENOMEM;
    if (n > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return fu__error_set(FU_ELIMIT, "text too large");
    }
    if (FU_GROW(b->data, b->cap, b->len + n + 1) != FU_OK) {
        b->failed = 1;
        return FU_ENOMEM;
    }
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return FU_OK;
}

int fu__buf_puts(fu__buf *b, const char *s) { return fu__buf_append(b, s, strlen(s)); }

int fu__buf_printf(fu__buf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return fu__error_set(FU_ERROR, "formatting failed");
    if ((size_t)n < sizeof small) return fu__buf_append(b, small, (size_t)n);
    char *big = fu__malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return fu__error_nomem();
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = fu__buf_append(b, big, (size_t)n);
    fu__free(big);
    return rc;
}

char *fu__buf_detach(fu__buf *b) {
    char *d = b->data;
    if (!d) d = fu__strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return d;
}

void fu__buf_free(fu__buf *b) {
    fu__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* --------------------------------------------------------------- UTF-8 */


size_t fu__utf8_seq_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t k;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) k = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        if (c == 0xE0) lo = 0xA0; /* no overlong forms */
        if (c == 0xED) hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F; /* <= U+10FFFF */
    } else {
        return 0;
    }
    if (n < k || s[1] < lo || s[1] > hi) return 0;
    for (size_t j = 2; j < k; j++)
        if ((s[j] & 0xC0) != 0x80) return 0;
    return k;
}

int fu__utf8_valid(const char *text, size_t n, size_t *bad) {
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        if (fu__ascii8(s + i, n - i)) {
            i += 8;
            continue;
        }
        size_t k = fu__utf8_seq_len(s + i, n - i);
        if (!k) {
            if (bad) *bad = i;
            return 0;
        }
        i += k;
    }
    return 1;
}

int fu__utf8_check(const char *what, const char *s, size_t len) {
    size_t bad = 0;
    if (!s || fu__utf8_valid(s, len, &bad)) return FU_OK;
    unsigned long line = 1, col = 1;
    for (size_t i = 0; i < bad;) {
        if (s[i] == '\n') {
            line++;
            col = 1;
            i++;
            continue;
        }
        size_t k = fu__utf8_seq_len((const unsigned char *)s + i, bad - i);
        i += k ? k : 1;
        col++;
    }
    return fu__error_set_at(FU_EINVAL, what, line, col, NULL,
                            "%s: invalid UTF-8 at byte offset %zu (line %lu, column %lu): byte 0x%02X",
                            what, bad, line, col, (unsigned)(unsigned char)s[bad]);
}

int fu__utf8_check_str(const char *what, const char *s) {
    return s ? fu__utf8_check(what, s, strlen(s)) : FU_OK;
}

int fu__rule_listed(const char *list, const char *rule, size_t n) {
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ';') p++;
        if (strncmp(p, rule, n) == 0 && (p[n] == 0 || p[n] == ';' || p[n] == ' ')) return 1;
        p = strchr(p, ';');
    }
    return 0;
}
