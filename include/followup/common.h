/**
 * @file followup/common.h
 * @brief Version, error model and allocator shared by every libfollowup module.
 *
 * Conventions that hold across the whole library:
 *
 * - **Errors.** A fallible function returns `int`: #FU_OK (0) on success or a
 *   negative #fu_error_code. The detail (message and, for file input, the source
 *   name, line, column and key path) is kept per thread and read with
 *   fu_error_last(), which never returns NULL. Nothing prints, nothing calls
 *   `exit` or `abort` on bad input.
 * - **Ownership.** What a function hands out through a `**out` parameter belongs
 *   to the caller, who frees it with the matching `_free` function. Every
 *   `_free` accepts NULL. Pointers returned as `const` are borrowed from their
 *   parent object and live as long as it does.
 * - **Threads.** A loaded policy is immutable and may be shared by any number of
 *   threads. Every other handle (book, calendar, planner, plan, best-time
 *   model, KPI engine, ledger, redactor, extractor, segment objects) is used
 *   by one thread at a time: the caller serialises the calls on one handle
 *   (the Python binding does it with a lock per handle, docs/bindings.md).
 *   Distinct handles may be used by distinct threads at the same time; a
 *   handle that borrows another (a planner its book) counts as using it. The
 *   library keeps no hidden global mutable state; the allocator (below) is set
 *   once, before any other call; the cancel hook is per thread.
 * - **Cancellation.** Long calls (planning, model fits, best-time model
 *   building, KPI computation) poll the calling thread's cancel hook
 *   (fu_set_cancel_hook()) and return #FU_ECANCELED when it asks them to stop;
 *   the handle is then as before the call.
 * - **Time** is `int64_t` seconds since the Unix epoch, UTC.
 */
#ifndef FOLLOWUP_COMMON_H
#define FOLLOWUP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(FU_BUILDING_SHARED)
#    define FU_EXTERN __declspec(dllexport)
#  else
#    define FU_EXTERN
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define FU_EXTERN __attribute__((visibility("default")))
#else
#  define FU_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @name Version
 *  The header's version; fu_version() reports the library's at run time. @{ */
#define FU_VERSION_MAJOR 0
#define FU_VERSION_MINOR 2
#define FU_VERSION_PATCH 0
#define FU_VERSION_STRING "0.2.0"
/** MAJOR * 10000 + MINOR * 100 + PATCH. */
#define FU_VERSION_NUMBER \
    (FU_VERSION_MAJOR * 10000 + FU_VERSION_MINOR * 100 + FU_VERSION_PATCH)
/** @} */

/** The library's version string ("MAJOR.MINOR.PATCH"), static storage. */
FU_EXTERN const char *fu_version(void);
/** The library's version as a number, see #FU_VERSION_NUMBER. */
FU_EXTERN int fu_version_number(void);

/** Result codes. Success is 0; every failure is negative. */
typedef enum fu_error_code {
    FU_OK = 0,
    FU_ERROR = -1,      /**< unspecified failure */
    FU_ENOMEM = -2,     /**< an allocation failed; nothing was leaked */
    FU_EINVAL = -3,     /**< an argument is invalid (NULL, out of its domain) */
    FU_EPARSE = -4,     /**< input text is malformed (YAML, CSV, duration, time) */
    FU_EPOLICY = -5,    /**< the policy is well-formed but not valid */
    FU_ENOTFOUND = -6,  /**< a named thing (file, zone, calendar, id) is not there */
    FU_EIO = -7,        /**< reading or writing a file failed */
    FU_ERANGE = -8,     /**< a value or result is outside the representable range */
    FU_ETIMEZONE = -9,  /**< an unknown or unusable time zone */
    FU_ESTATE = -10,    /**< the operation is not allowed in the current state */
    FU_EDB = -11,       /**< the on-disk store failed */
    FU_ECONVERGE = -12, /**< a model fit did not converge */
    FU_ELIMIT = -13,    /**< input exceeds a documented limit (size, depth) */
    FU_EEXISTS = -14,   /**< the thing to create exists already */
    FU_ECANCELED = -15  /**< the cancel hook (fu_set_cancel_hook()) stopped the call */
} fu_error_code;

/**
 * Detail of the last failure on the calling thread.
 *
 * All strings are borrowed from thread-local storage and stay valid until the
 * next libfollowup call on the same thread. `source`, `path` are empty strings
 * (never NULL) when not known; `line` and `column` are 1-based, 0 when not known.
 */
typedef struct fu_error {
    int code;                 /**< a #fu_error_code, #FU_OK when there is none */
    const char *message;      /**< human-readable, one line, no trailing period */
    const char *source;       /**< file name or "<string>" for text input */
    unsigned long line;       /**< 1-based line in `source` */
    unsigned long column;     /**< 1-based column (in bytes) in `source` */
    const char *path;         /**< key path ("cadences.delivery.steps[1].at") or CSV column */
} fu_error;

/**
 * The last error raised on this thread. Never NULL: when no error was raised
 * since the last fu_error_clear(), the code is #FU_OK and the message "no error".
 */
FU_EXTERN const fu_error *fu_error_last(void);

/** Forget the last error of this thread. */
FU_EXTERN void fu_error_clear(void);

#if defined(__GNUC__)
#  define FU_PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))
#else
#  define FU_PRINTF_FORMAT(f, a)
#endif

/**
 * Raise an error on the calling thread, as the library itself does: the
 * detail read by fu_error_last() becomes `code` with the message formatted
 * from `fmt` (printf; NULL: fu_strerror(code)) and no source, line, column or
 * path. For code that wraps libfollowup (bindings, command line tools,
 * callbacks) and reports its own failures through the same channel. Never
 * allocates, so it can report #FU_ENOMEM; a message longer than 1,023 bytes is
 * cut short.
 *
 * @return `code`, so that `return fu_error_set(FU_EINVAL, "...");` reads well.
 */
FU_EXTERN int fu_error_set(int code, const char *fmt, ...) FU_PRINTF_FORMAT(2, 3);

/**
 * fu_error_set() with the position of the fault in an input: `source` (a
 * file name, "<string>"; NULL: none), 1-based `line` and `column` (0: not
 * known) and `path` (a key path or CSV column; NULL: none).
 *
 * @return `code`.
 */
FU_EXTERN int fu_error_set_at(int code, const char *source, unsigned long line, unsigned long column,
                              const char *path, const char *fmt, ...) FU_PRINTF_FORMAT(6, 7);

/**
 * Put "WHAT: " (formatted from `fmt`, printf) in front of the message of the
 * calling thread's last error, keeping its code and position, e.g. to say
 * which row of a batch failed ("row 3: ..."). The joined message is cut at
 * 1,023 bytes.
 */
FU_EXTERN void fu_error_prefix(const char *fmt, ...) FU_PRINTF_FORMAT(1, 2);

/**
 * A short static description of a result code ("out of memory"). Unknown
 * codes give "unknown error". Never NULL.
 */
FU_EXTERN const char *fu_strerror(int code);

/**
 * Format the last error as one line: "SOURCE:LINE:COLUMN: PATH: MESSAGE", leaving
 * out the parts that are not known. Writes at most `size` bytes including the
 * terminating NUL into `buf` and returns the length the full text would have
 * (like snprintf).
 */
FU_EXTERN size_t fu_error_format(char *buf, size_t size);

/**
 * A replaceable allocator. `realloc` with size 0 is never called; `free(NULL)`
 * is never called. `ud` is passed back to each function.
 */
typedef struct fu_allocator {
    void *(*malloc)(size_t size, void *ud);
    void *(*realloc)(void *ptr, size_t size, void *ud);
    void (*free)(void *ptr, void *ud);
    void *ud;
} fu_allocator;

/**
 * Replace the allocator used by every libfollowup function; NULL restores the
 * C library's malloc/realloc/free. Call it before any other libfollowup call
 * and before starting threads that use the library: memory allocated with one
 * allocator must be freed while that allocator is still installed.
 *
 * @return #FU_OK, or #FU_EINVAL if a function pointer is missing.
 */
FU_EXTERN int fu_set_allocator(const fu_allocator *allocator);

/**
 * A cancel hook: return nonzero to stop the running call. Called from inside
 * the library (no libfollowup call may be made from it), at most every few
 * hundred items of a long loop, so it should be cheap (e.g. read a flag).
 */
typedef int (*fu_cancel_fn)(void *ud);

/**
 * Install `fn` (NULL: none) as the cancel hook of the calling thread.
 *
 * Long calls made on this thread then call `fn(ud)` now and then: in
 * fu_planner_plan() and fu_planner_simulate() every 256 customers, in the
 * segment model fits (fu_segment_bgnbd_fit() and the like) every iteration
 * and every 4,096 distinct rows of a likelihood evaluation,
 * in fu_besttime_new() and fu_besttime_fit_prior() every 1,024 customers, in
 * fu_kpi_compute() every 1,024 customers. When it returns nonzero the call
 * returns #FU_ECANCELED ("canceled"), frees what it allocated and leaves the
 * handle as it was before the call, so the same call can be made again.
 * The hook is thread-local: each thread installs its own.
 */
FU_EXTERN void fu_set_cancel_hook(fu_cancel_fn fn, void *ud);

/** The calling thread's cancel hook and its `ud` (NULL when none); either
 *  pointer may be NULL. */
FU_EXTERN void fu_get_cancel_hook(fu_cancel_fn *fn, void **ud);

/** Free a buffer the library handed to the caller (strings, arrays). NULL is a no-op. */
FU_EXTERN void fu_free(void *ptr);

/**
 * A copy of the NUL-terminated `s` made with the library's allocator, for
 * code that hands a string to a caller who frees it with fu_free() (a
 * binding's `char **out`). NULL when `s` is NULL or when out of memory (then
 * with #FU_ENOMEM raised).
 */
FU_EXTERN char *fu_strdup(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* FOLLOWUP_COMMON_H */
