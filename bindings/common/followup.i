/*
 * libfollowup — the language-neutral SWIG interface.
 *
 * Included by bindings/python/followup.i and bindings/lua/followup.i, which
 * first define, for their language:
 *   - the typemap `%typemap(out) fu_status` that turns a negative return code
 *     into a Python exception / Lua error (with code, message, source, line,
 *     column and key path from fu_error_last()) and otherwise returns nothing;
 *   - integer typemaps where the language needs them (Lua 5.4).
 *
 * Conventions for module files (bindings/common/<module>.i):
 *   - Mark every fallible function (returns int: FU_OK or negative FU_E*) with
 *     FU_FALLIBLE(function_name) BEFORE its declaration is seen; its return
 *     value then disappears from the target language and failures raise.
 *   - A single output parameter named `out` of type int64_t*, double*, int*,
 *     size_t*, unsigned int* becomes a return value (typemaps below); `char **out`
 *     returns a string and frees the C buffer with fu_free.
 *   - Opaque handles are wrapped as classes through %extend with a constructor
 *     that raises on failure and a destructor calling the module's _free;
 *     every owned return carries %newobject; a borrowed child keeps a
 *     reference to its parent (see FU_BORROWED in the per-language files).
 *   - Python-only features go inside #ifdef SWIGPYTHON, Lua-only in #ifdef SWIGLUA.
 */

%{
#include "followup.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
%}

%include <stdint.i>

/* fu_status marks an int return that is a result code. */
%{
typedef int fu_status;
%}
typedef int fu_status;

%define FU_FALLIBLE(fn)
%apply fu_status { int fn };
%enddef

/* ---- helpers shared by the module files: the public API only ----
 * The bindings link the shared library and call exported fu_ functions only
 * (ctest abi.faces). fu_swig_nomem() raises FU_ENOMEM; fu_swig_strdup()
 * copies a string with malloc (the binding's own records free it with free):
 * NULL stays NULL and a failure sets *failed. */
%{
static int fu_swig_nomem(void) { return fu_error_set(FU_ENOMEM, "out of memory"); }

static char *fu_swig_strdup(const char *s, int *failed) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    if (!d) *failed = 1;
    else memcpy(d, s, n);
    return d;
}
%}

/* ---- raising from a wrapper whose body leaves the code in fu_error_last()
 * (one that returns an object, NULL on failure, or nothing):
 * FU_RAISES(function_name) before its declaration. ---- */
#ifdef SWIGPYTHON
%{
#define FU_SWIG_RAISE(code) fu_py_raise(code)
%}
#endif
#ifdef SWIGLUA
%{
#define FU_SWIG_RAISE(code) fu_lua_push_error(L, code)
%}
#endif
%define FU_RAISES(fn)
%exception fn {
    fu_error_clear();
    $action
    if (fu_error_last()->code != FU_OK) {
        FU_SWIG_RAISE(fu_error_last()->code);
        SWIG_fail;
    }
}
%enddef

/* ---- single outputs named `out` become return values ---- */
%typemap(in, numinputs=0) int64_t *out (int64_t tmp = 0), double *out (double tmp = 0),
                          int *out (int tmp = 0), size_t *out (size_t tmp = 0),
                          unsigned int *out (unsigned int tmp = 0), uint8_t *out (uint8_t tmp = 0)
  "$1 = &tmp;"
%typemap(in, numinputs=0) char **out (char *tmp = NULL) "$1 = &tmp;"
%typemap(freearg) char **out "fu_free(*$1);"

/* ---- text in: a NUL inside a string is an error, never a silent cut ----
 * C strings end at the first NUL, so "ID\0SECRET" would reach the library as
 * "ID". Every char* input and every (text, len) input is checked here once:
 * a string holding a NUL raises InvalidArgumentError (a ValueError) in Python
 * and an error table (code EINVAL) in Lua. */
%{
/* FU_OK, or FU_EINVAL with the error set when s[0..n) holds a NUL. */
static int fu_swig_check_nul(const char *s, size_t n, int argnum, const char *fn) {
    const char *z = s ? (const char *)memchr(s, '\0', n) : NULL;
    if (!z) return FU_OK;
    return fu_error_set(FU_EINVAL, "%s: argument %d contains a NUL character at byte %lu (refused rather than cut short)",
                         fn, argnum, (unsigned long)(z - s));
}
%}
#ifdef SWIGPYTHON
%typemap(in, noblock=1, fragment="SWIG_AsCharPtrAndSize") char *, const char *
    (int res, char *buf = 0, size_t size = 0, int alloc = 0) {
  res = SWIG_AsCharPtrAndSize($input, &buf, &size, &alloc);
  if (!SWIG_IsOK(res)) {
    %argument_fail(res, "$type", $symname, $argnum);
  }
  if (buf && size > 0 && fu_swig_check_nul(buf, size - 1, $argnum, "$symname")) {
    fu_py_raise(FU_EINVAL);
    SWIG_fail;
  }
  $1 = ($1_ltype)buf;
}
%typemap(freearg, noblock=1, match="in") char *, const char * {
  if (alloc$argnum == SWIG_NEWOBJ) %delete_array(buf$argnum);
}
#endif
#ifdef SWIGLUA
%typemap(in, checkfn="SWIG_lua_isnilstring", fragment="SWIG_lua_isnilstring") char *, const char * {
  size_t fu_len = 0;
  $1 = ($1_ltype)lua_tolstring(L, $input, &fu_len);
  if ($1 && fu_swig_check_nul($1, fu_len, $argnum, "$symname")) {
    fu_lua_push_error(L, FU_EINVAL);
    SWIG_fail;
  }
}
#endif

/* ------------------------------------------------------------ core API */
%rename(version) fu_version;
%rename(version_number) fu_version_number;
%rename(strerror) fu_strerror;
const char *fu_version(void);
int fu_version_number(void);
const char *fu_strerror(int code);

%constant int VERSION_MAJOR = FU_VERSION_MAJOR;
%constant int VERSION_MINOR = FU_VERSION_MINOR;
%constant int VERSION_PATCH = FU_VERSION_PATCH;
%constant const char *VERSION_STRING = FU_VERSION_STRING;

%constant int OK = FU_OK;
%constant int ERROR = FU_ERROR;
%constant int ENOMEM = FU_ENOMEM;
%constant int EINVAL = FU_EINVAL;
%constant int EPARSE = FU_EPARSE;
%constant int EPOLICY = FU_EPOLICY;
%constant int ENOTFOUND = FU_ENOTFOUND;
%constant int EIO = FU_EIO;
%constant int ERANGE = FU_ERANGE;
%constant int ETIMEZONE = FU_ETIMEZONE;
%constant int ESTATE = FU_ESTATE;
%constant int EDB = FU_EDB;
%constant int ECONVERGE = FU_ECONVERGE;
%constant int ELIMIT = FU_ELIMIT;
%constant int EEXISTS = FU_EEXISTS;
%constant int ECANCELED = FU_ECANCELED;

/* A fallible function used by the binding tests to check error translation:
 * raises the given code with the given position, or returns nothing for 0. */
%{
static int fu_swig_selftest_raise(int code, const char *message, const char *source,
                                  unsigned long line, unsigned long column, const char *path) {
    fu_error_clear();
    if (code == FU_OK) return FU_OK;
    return fu_error_set_at(code, source, line, column, path, "%s", message ? message : "");
}
%}
FU_FALLIBLE(fu_swig_selftest_raise)
%rename(_selftest_raise) fu_swig_selftest_raise;
int fu_swig_selftest_raise(int code, const char *message, const char *source,
                           unsigned long line, unsigned long column, const char *path);

/* ----------------------------------------------------------- modules */
%include "calendar.i"
%include "policy.i"
%include "book.i"
%include "segment.i"
%include "notes.i"
%include "planner.i"
%include "capacity.i"
%include "besttime.i"
%include "commit.i"
%include "redact.i"
%include "kpi.i"
%include "frequency.i"
%include "guard.i"
%include "simulate.i"
%include "loop.i"
