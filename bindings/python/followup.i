/* Python binding of libfollowup: the SWIG module followup.core, wrapped by the
 * pure-Python package `followup` (bindings/python/followup/). Built with
 * -threads: every wrapped call releases the GIL while C runs. */
%module(package="followup") core

/* Docstrings with argument and return types for every wrapped function. */
%feature("autodoc", "3");

%{
#define SWIG_FILE_WITH_INIT
#include "followup.h"
#include <pthread.h>
#include <time.h>

/* Exception classes, created once when the module is imported. Index = -code. */
#define FU_PY_NEXC 16
static PyObject *fu_py_exc[FU_PY_NEXC];

static PyObject *fu_py_exc_for(int code) {
    int i = -code;
    if (i <= 0 || i >= FU_PY_NEXC || fu_py_exc[i] == NULL) return fu_py_exc[0];
    return fu_py_exc[i];
}

/* Raise the exception for `code` with the detail of fu_error_last(). */
static void fu_py_raise(int code) {
    /* a cancel hook that ran a Python signal handler left its exception
     * (KeyboardInterrupt): that is the one to raise */
    if (code == FU_ECANCELED && PyErr_Occurred()) return;
    const fu_error *e = fu_error_last();
    char text[2048];
    fu_error_format(text, sizeof text);
    PyObject *cls = fu_py_exc_for(code);
    PyObject *inst = PyObject_CallFunction(cls, "s", text);
    if (inst == NULL) return; /* an exception is set already */
    PyObject *v;
#define FU_SETATTR(name, expr) \
    v = (expr); if (v) { PyObject_SetAttrString(inst, name, v); Py_DECREF(v); }
    FU_SETATTR("code", PyLong_FromLong(code));
    FU_SETATTR("message", PyUnicode_DecodeUTF8(e->message, (Py_ssize_t)strlen(e->message), "replace"));
    FU_SETATTR("source", PyUnicode_DecodeUTF8(e->source, (Py_ssize_t)strlen(e->source), "replace"));
    FU_SETATTR("line", PyLong_FromUnsignedLong(e->line));
    FU_SETATTR("column", PyLong_FromUnsignedLong(e->column));
    FU_SETATTR("path", PyUnicode_DecodeUTF8(e->path, (Py_ssize_t)strlen(e->path), "replace"));
#undef FU_SETATTR
    PyErr_SetObject(cls, inst);
    Py_DECREF(inst);
}
%}

%{
/* ---- one handle, many threads (docs/bindings.md, "Threads") ----
 * Every wrapped call releases the GIL while C runs, and a C handle is used by
 * one thread at a time. So each call locks the handles it is given (self and
 * handle arguments; not Policy, which is immutable) for the time C runs: the
 * `check` typemaps below collect them in a per-thread set, the GIL-release
 * macros lock the set (stripes of a fixed table, taken in ascending order, so
 * two calls never wait for each other crosswise) once the GIL is released, and
 * unlock it before taking the GIL back; `freearg` drops the entries. */
#define FU_PY_STRIPES 251
#define FU_PY_LOCKSET 16
static pthread_mutex_t fu_py_stripe[FU_PY_STRIPES];
static pthread_once_t fu_py_stripe_once = PTHREAD_ONCE_INIT;
static void fu_py_stripe_init(void) {
    for (int i = 0; i < FU_PY_STRIPES; i++) pthread_mutex_init(&fu_py_stripe[i], NULL);
}
typedef struct fu_py_lockset {
    const void *ptr[FU_PY_LOCKSET];
    int n;
    int held[FU_PY_LOCKSET]; /* stripes locked by fu_py_lock_all, ascending */
    int nheld;
    int nested; /* calls inside a call that holds the locks (see below) */
} fu_py_lockset;
static _Thread_local fu_py_lockset fu_py_locks;

static int fu_py_stripe_of(const void *p) {
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 17;
    v *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (int)((v >> 7) % FU_PY_STRIPES);
}
static int fu_py_lock_add(const void *p) {
    fu_py_lockset *s = &fu_py_locks;
    if (!p || s->n >= FU_PY_LOCKSET) return 0;
    s->ptr[s->n++] = p;
    return 1;
}
static void fu_py_lock_drop(const void *p) {
    fu_py_lockset *s = &fu_py_locks;
    for (int i = s->n; i-- > 0;)
        if (s->ptr[i] == p) {
            s->ptr[i] = s->ptr[--s->n];
            return;
        }
}
/* Lock the stripes of the set (called without the GIL). A call made while
 * this thread holds locks already (from a signal handler run by the cancel
 * hook in the middle of a call) takes none: it would wait for itself. */
static void fu_py_lock_all(void) {
    fu_py_lockset *s = &fu_py_locks;
    pthread_once(&fu_py_stripe_once, fu_py_stripe_init);
    if (s->nheld) {
        s->nested++;
        return;
    }
    for (int i = 0; i < s->n; i++) {
        int st = fu_py_stripe_of(s->ptr[i]), j = s->nheld;
        int dup = 0;
        for (int k = 0; k < s->nheld && !dup; k++) dup = s->held[k] == st;
        if (dup) continue;
        while (j > 0 && s->held[j - 1] > st) {
            s->held[j] = s->held[j - 1];
            j--;
        }
        s->held[j] = st;
        s->nheld++;
    }
    for (int k = 0; k < s->nheld; k++) pthread_mutex_lock(&fu_py_stripe[s->held[k]]);
}
static void fu_py_unlock_all(void) {
    fu_py_lockset *s = &fu_py_locks;
    if (s->nested) {
        s->nested--;
        return;
    }
    for (int k = s->nheld; k-- > 0;) pthread_mutex_unlock(&fu_py_stripe[s->held[k]]);
    s->nheld = 0;
}

/* ---- Ctrl-C: the cancel hook (fu_set_cancel_hook) of the thread that runs a
 * call. Python runs signal handlers on the main thread only; there the hook,
 * at most every FU_PY_CANCEL_NS, takes the GIL and runs them
 * (PyErr_CheckSignals). A handler that raises (KeyboardInterrupt) cancels the
 * C call, which returns FU_ECANCELED with the handle as before the call; the
 * wrapper then raises the handler's exception. */
#define FU_PY_CANCEL_NS 2000000L
static unsigned long fu_py_main_thread;
static _Thread_local struct timespec fu_py_cancel_last;
static int fu_py_cancel_hook(void *ud) {
    (void)ud;
    if (PyThread_get_thread_ident() != fu_py_main_thread) return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long dt = (long long)(now.tv_sec - fu_py_cancel_last.tv_sec) * 1000000000LL +
                   (now.tv_nsec - fu_py_cancel_last.tv_nsec);
    if (dt >= 0 && dt < FU_PY_CANCEL_NS) return 0;
    fu_py_cancel_last = now;
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = PyErr_CheckSignals() < 0;
    PyGILState_Release(g);
    return stop;
}

/* Around every call into C: release the GIL, install the hook (keeping the
 * thread's previous one, if the host set its own, for after the call), lock. */
#undef SWIG_PYTHON_THREAD_BEGIN_ALLOW
#undef SWIG_PYTHON_THREAD_END_ALLOW
#define SWIG_PYTHON_THREAD_BEGIN_ALLOW                           \
    PyThreadState *_swig_thread_allow = PyEval_SaveThread();     \
    fu_cancel_fn _fu_prev_hook = NULL;                           \
    void *_fu_prev_ud = NULL;                                    \
    fu_get_cancel_hook(&_fu_prev_hook, &_fu_prev_ud);            \
    fu_set_cancel_hook(fu_py_cancel_hook, NULL);                 \
    fu_py_lock_all()
#define SWIG_PYTHON_THREAD_END_ALLOW                             \
    fu_py_unlock_all();                                          \
    fu_set_cancel_hook(_fu_prev_hook, _fu_prev_ud);              \
    PyEval_RestoreThread(_swig_thread_allow)

/* For the few %nothread wrappers that touch a handle with the GIL held:
 * wait for the locks without the GIL, then run with both. */
static void fu_py_lock_all_gil_held(void) {
    Py_BEGIN_ALLOW_THREADS
    fu_py_lock_all();
    Py_END_ALLOW_THREADS
}
%}

/* A handle type whose calls are serialised (see above). */
%define FU_PY_LOCKED(T)
%typemap(check, noblock=1) struct T *, struct T const * {
    fu_py_lock_add($1);
}
%typemap(freearg, noblock=1) struct T *, struct T const * {
    fu_py_lock_drop($1);
}
%enddef
FU_PY_LOCKED(fu_book)
FU_PY_LOCKED(fu_calendar)
FU_PY_LOCKED(fu_windows)
FU_PY_LOCKED(fu_besttime)
FU_PY_LOCKED(fu_plan)
FU_PY_LOCKED(fu_planner)
FU_PY_LOCKED(fu_sim_report)
FU_PY_LOCKED(fu_kpi)
FU_PY_LOCKED(fu_ledger)
FU_PY_LOCKED(fu_commitment_list)
FU_PY_LOCKED(fu_extraction)
FU_PY_LOCKED(fu_extractor)
FU_PY_LOCKED(fu_redactor)
FU_PY_LOCKED(fu_segment_bgnbd)
FU_PY_LOCKED(fu_segment_pareto)
FU_PY_LOCKED(fu_segment_gammagamma)
FU_PY_LOCKED(fu_segment_summary)
FU_PY_LOCKED(fu_segment_rules)
FU_PY_LOCKED(fu_segment_book_summary)
FU_PY_LOCKED(fu_swig_assignments)

/* %exception of a %nothread wrapper that reads a handle. */
%define FU_PY_LOCKED_NOTHREAD(fn)
%exception fn {
    fu_error_clear();
    fu_py_lock_all_gil_held();
    $action
    fu_py_unlock_all();
    if (fu_error_last()->code != FU_OK) {
        fu_py_raise(fu_error_last()->code);
        SWIG_fail;
    }
}
%enddef

%init %{
    fu_py_main_thread = PyThread_get_thread_ident();
    { /* the thread Python runs signal handlers on, wherever the import runs */
        PyObject *thr = PyImport_ImportModule("threading");
        PyObject *mt = thr ? PyObject_CallMethod(thr, "main_thread", NULL) : NULL;
        PyObject *id = mt ? PyObject_GetAttrString(mt, "ident") : NULL;
        if (id && PyLong_Check(id)) fu_py_main_thread = PyLong_AsUnsignedLong(id);
        if (PyErr_Occurred()) PyErr_Clear();
        Py_XDECREF(id);
        Py_XDECREF(mt);
        Py_XDECREF(thr);
    }
    {
        static const struct { int code; const char *name; const char *extra; const char *doc; } defs[] = {
            {FU_ENOMEM, "NoMemoryError", "MemoryError", "An allocation failed."},
            {FU_EINVAL, "InvalidArgumentError", "ValueError", "An argument is invalid."},
            {FU_EPARSE, "ParseError", "ValueError", "Input text is malformed."},
            {FU_EPOLICY, "PolicyError", "ValueError", "The policy is not valid."},
            {FU_ENOTFOUND, "NotFoundError", "LookupError", "A named thing is not there."},
            {FU_EIO, "InputOutputError", NULL, "Reading or writing a file failed."},
            {FU_ERANGE, "RangeError", "ValueError", "A value is out of range."},
            {FU_ETIMEZONE, "TimeZoneError", "ValueError", "Unknown or unusable time zone."},
            {FU_ESTATE, "StateError", NULL, "Not allowed in the current state."},
            {FU_EDB, "StorageError", NULL, "The on-disk store failed."},
            {FU_ECONVERGE, "ConvergenceError", "ArithmeticError", "A model fit did not converge."},
            {FU_ELIMIT, "LimitError", "ValueError", "Input exceeds a documented limit."},
            {FU_EEXISTS, "ExistsError", NULL, "The thing to create exists already."},
            {FU_ECANCELED, "CanceledError", NULL, "A cancel hook stopped the call."},
        };
        PyObject *builtins = PyEval_GetBuiltins();
        fu_py_exc[0] = PyErr_NewExceptionWithDoc("followup.Error",
            "Base class of every libfollowup error. Attributes: code, message, source, line, column, path.",
            NULL, NULL);
        if (fu_py_exc[0]) {
            Py_INCREF(fu_py_exc[0]);
            PyModule_AddObject(m, "Error", fu_py_exc[0]);
        }
        fu_py_exc[1] = fu_py_exc[0]; /* FU_ERROR */
        for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
            char qual[96];
            PyObject *bases;
            PyObject *extra = defs[i].extra ? PyDict_GetItemString(builtins, defs[i].extra) : NULL;
            if (extra) bases = PyTuple_Pack(2, fu_py_exc[0], extra);
            else bases = PyTuple_Pack(1, fu_py_exc[0]);
            snprintf(qual, sizeof qual, "followup.%s", defs[i].name);
            PyObject *cls = PyErr_NewExceptionWithDoc(qual, defs[i].doc, bases, NULL);
            Py_XDECREF(bases);
            if (cls) {
                fu_py_exc[-defs[i].code] = cls;
                Py_INCREF(cls);
                PyModule_AddObject(m, defs[i].name, cls);
            }
        }
    }
%}

%typemap(out) fu_status {
    if ($1 < 0) {
        fu_py_raise($1);
        SWIG_fail;
    }
    $result = SWIG_Py_Void();
}

%typemap(argout) int64_t *out  "$result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)*$1));"
%typemap(argout) int *out      "$result = SWIG_Python_AppendOutput($result, PyLong_FromLong(*$1));"
%typemap(argout) unsigned int *out "$result = SWIG_Python_AppendOutput($result, PyLong_FromUnsignedLong(*$1));"
%typemap(argout) uint8_t *out  "$result = SWIG_Python_AppendOutput($result, PyLong_FromLong(*$1));"
%typemap(argout) size_t *out   "$result = SWIG_Python_AppendOutput($result, PyLong_FromSize_t(*$1));"
%typemap(argout) double *out   "$result = SWIG_Python_AppendOutput($result, PyFloat_FromDouble(*$1));"
%typemap(argout) char **out {
    $result = SWIG_Python_AppendOutput($result,
        *$1 ? PyUnicode_DecodeUTF8(*$1, (Py_ssize_t)strlen(*$1), "replace") : SWIG_Py_Void());
}

/* Text in as pointer + length from a Python str or bytes. */
%typemap(in) (const char *text, size_t len) (Py_ssize_t size = 0, PyObject *bytes = NULL) {
    if (PyUnicode_Check($input)) {
        $1 = (char *)PyUnicode_AsUTF8AndSize($input, &size);
        if (!$1) SWIG_fail;
    } else if (PyBytes_Check($input)) {
        char *p = NULL;
        if (PyBytes_AsStringAndSize($input, &p, &size) < 0) SWIG_fail;
        $1 = p;
    } else {
        SWIG_exception_fail(SWIG_TypeError, "expected str or bytes");
    }
    (void)bytes;
    $2 = (size_t)size;
    if (fu_swig_check_nul($1, $2, $argnum, "$symname")) {
        fu_py_raise(FU_EINVAL);
        SWIG_fail;
    }
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) (const char *text, size_t len) {
    $1 = PyUnicode_Check($input) || PyBytes_Check($input);
}

%include "../common/followup.i"
