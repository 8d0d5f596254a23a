/* Private helpers shared by the modules of libfollowup. Not installed. */
#ifndef FU_INTERNAL_H
#define FU_INTERNAL_H

#include "followup/common.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#  define FU_PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define FU_UNUSED __attribute__((unused))
#else
#  define FU_PRINTF(f, a)
#  define FU_UNUSED
#endif

/* ---- allocation: every allocation in the library goes through these ---- */
void *fu__malloc(size_t size);
/* 1 while the C library's allocator is installed (fu_set_allocator()): the
 * library allocates on a thread of its own (the KPI pass's second thread)
 * only then, since a host's allocator need not be thread-safe. */
int fu__allocator_is_default(void);
void *fu__calloc(size_t count, size_t size); /* zeroed; overflow-checked */
void *fu__realloc(void *ptr, size_t size);    /* size 0 frees and returns NULL */
void fu__free(void *ptr);
char *fu__strdup(const char *s);
char *fu__strndup(const char *s, size_t n);
/* fu__free each of ptrs[0..n) (NULLs are skipped). Called through
 * FU_FREE_ALL(a, b, c), which frees the members of a struct in one line
 * instead of one fu__free a member: FU_FREE_ALL(m->x, m->y, m). */
void fu__free_each(void *const *ptrs, size_t n);
#define FU_FREE_ALL(...) \
    fu__free_each((void *const[]){__VA_ARGS__}, sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))
/* Grow *ptr (an array of elem_size items with capacity *cap) to hold at least
 * `need` items. Returns FU_OK or FU_ENOMEM (with the error set); on failure
 * *ptr and *cap are unchanged. */
int fu__grow(void **ptr, size_t *cap, size_t need, size_t elem_size);
#define FU_GROW(arr, cap, need) \
    fu__grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* ---- a public `_init` function: fill *ptr (NULL: nothing) with the value
 * of the struct's INIT macro. Used without a trailing semicolon:
 * FU_DEFINE_INIT(fu_x_options_init, fu_x_options, FU_X_OPTIONS_INIT) ---- */
#define FU_DEFINE_INIT(fn, type, init_macro)  \
    void fn(type *ptr) {                      \
        static const type fu__init = init_macro; \
        if (ptr) *ptr = fu__init;             \
    }

/* ---- versioned options: *dst holds the defaults; copy the caller's `opts`
 * (NULL: keep the defaults) over it when its version is `want`. FU_OK, or
 * FU_EINVAL "WHAT version V, expected W". dst and opts point to the
 * same struct type (a mismatch does not compile). ---- */
int fu__options_copy(void *dst, const void *opts, size_t size, unsigned int version, unsigned int want,
                     const char *what);
#define FU_OPTIONS_COPY(dst, opts, want, what)                                                          \
    ((void)sizeof((dst) == (opts)),                                                                       \
     fu__options_copy((dst), (opts), sizeof *(dst), (opts) ? (opts)->version : 0u, (want), (what)))

/* ---- the first index i of the ascending v[0..n) with v[i] >= key (n if none) ---- */
static inline size_t fu__lower_bound_i64(const int64_t *v, size_t n, int64_t key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* ---- errors: set the thread's error detail and return `code` ----
 * fu__error_set and fu__error_set_at (with a position in an input: source
 * name, 1-based line/column, key path) are the public fu_error_set() and
 * fu_error_set_at() of common.h. */
#define fu__error_set fu_error_set
#define fu__error_set_at fu_error_set_at
int fu__error_setv(int code, const char *fmt, va_list ap) FU_PRINTF(2, 0);
int fu__error_set_atv(int code, const char *source, unsigned long line, unsigned long column, const char *path,
                      const char *fmt, va_list ap) FU_PRINTF(6, 0);
/* Shorthand for the very common out-of-memory case. */
int fu__error_nomem(void);
/* Prefix the current error message with "what: " (e.g. an outer context):
 * the public fu_error_prefix(). */
#define fu__error_prefix fu_error_prefix

/* ---- cancellation (fu_set_cancel_hook): FU_OK, or FU_ECANCELED with the
 * error set when the calling thread's hook asks to stop. FU_CANCEL_POLL
 * checks once every `every` (a power of two) values of the loop counter i
 * (at i = every - 1, 2 * every - 1, ...). ---- */
int fu__cancel_check(void);
#define FU_CANCEL_POLL(i, every) (((i) & ((every)-1)) == (every)-1 ? fu__cancel_check() : FU_OK)

/* ---- borrowed books: a handle that keeps a pointer to a book (a planner)
 * takes a borrow when it is created and gives it back when it is freed;
 * while a book has borrowers, every call that would change it fails with
 * FU_ESTATE ("the book is in use by N planners"). Atomic: books may be
 * borrowed from several threads at once. ---- */
struct fu_book;
void fu__book_borrow(const struct fu_book *book);
void fu__book_release(const struct fu_book *book);

/* ---- growable byte buffer (always NUL-terminated when len > 0) ---- */
typedef struct fu__buf {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* sticky: an append ran out of memory */
} fu__buf;
#define FU__BUF_INIT {NULL, 0, 0, 0}

/* The instants the library can write as text: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59Z (years 1..9999 in UTC; calendar.c checks its own
 * limits against these). */
#define FU__TIME_MIN INT64_C(-62135596800)
#define FU__TIME_MAX INT64_C(253402300799)
int fu__buf_append(fu__buf *b, const char *s, size_t n);
int fu__buf_puts(fu__buf *b, const char *s);
int fu__buf_printf(fu__buf *b, const char *fmt, ...) FU_PRINTF(2, 3);
/* Hand the data to the caller (who frees it with fu__free / fu_free); resets b. */
char *fu__buf_detach(fu__buf *b);
void fu__buf_free(fu__buf *b);

/* ---- simulate.c: event e of book b as an input to another book or a KPI
 * engine (strings borrowed from b; the priority is left unset: callers that
 * want it take e->priority). ---- */
struct fu_event;
struct fu_event_in;
void fu__event_in_of(const struct fu_book *b, const struct fu_event *e, struct fu_event_in *o);

/* ---- kpi.c for kpi_html.c ---- */
struct fu_kpi;
int fu__kpi_has_result(const struct fu_kpi *k); /* fu_kpi_compute() has run */

/* FU_ETIMEZONE naming the candidates when tzid is one of ICU's old
 * three-letter aliases that are no IANA ids ("CST", "PST", "IST" ...), else
 * FU_OK (lib/tz_alias.c). */
int fu__tz_refuse_legacy(const char *tzid);

/* Whether zones a and b (IANA ids or links) lie in one country: the same id,
 * or the same two-letter region in ICU's zone data (Asia/Shanghai, PRC,
 * Asia/Chongqing, Asia/Harbin, Asia/Urumqi: CN; Asia/Hong_Kong is HK). Zones
 * of no country (UTC, Etc/...) match only themselves. A country's public
 * holidays hold in all its zones. */
int fu__tz_same_country(const char *a, const char *b);

/* Whether `list` (a rule, or a merged contact's rules joined by "; ", as a
 * plan gives them) names the rule rule[0..n) (lib/common.c). */
int fu__rule_listed(const char *list, const char *rule, size_t n);

#endif /* FU_INTERNAL_H */
