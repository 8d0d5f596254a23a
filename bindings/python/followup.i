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
    const void *owner[FU_PY_LOCKSET]; /* the handle an entry was added for (its book), or NULL */
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
static int fu_py_lock_add_for(const void *p, const void *owner) {
    fu_py_lockset *s = &fu_py_locks;
    if (!p || s->n >= FU_PY_LOCKSET) return 0;
    s->owner[s->n] = owner;
    s->ptr[s->n++] = p;
    return 1;
}
static int fu_py_lock_add(const void *p) { return fu_py_lock_add_for(p, NULL); }
/* Drop p, and what was added for p (its book: the handle may be freed by
 * now, so nothing is asked of it). */
static void fu_py_lock_drop(const void *p) {
    fu_py_lockset *s = &fu_py_locks;
    int dropped = 0;
    for (int i = s->n; i-- > 0;)
        if ((s->ptr[i] == p && !s->owner[i] && !dropped) || (p && s->owner[i] == p)) {
            if (!s->owner[i]) dropped = 1;
            s->n--;
            s->ptr[i] = s->ptr[s->n];
            s->owner[i] = s->owner[s->n];
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
/* A planner's and a KPI engine's calls lock the book they read too:
 * fu_planner_feed appends to it, and another thread may be appending to it
 * through the Book or another planner while plan() or compute() reads it. */
%define FU_PY_LOCKED_WITH_BOOK(T, BOOK)
%typemap(check, noblock=1) struct T *, struct T const * {
    fu_py_lock_add($1);
    if ($1) fu_py_lock_add_for((const void *)BOOK($1), $1);
}
%typemap(freearg, noblock=1) struct T *, struct T const * { /* the handle may be freed by now */
    fu_py_lock_drop($1);
}
%enddef
FU_PY_LOCKED_WITH_BOOK(fu_planner, fu_planner_book)
FU_PY_LOCKED(fu_sim_report)
FU_PY_LOCKED_WITH_BOOK(fu_kpi, fu_kpi_book)
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
        /* worded by _pythonic as "C.m(): argument N (text) must be str or bytes, not T" */
        %argument_fail(SWIG_TypeError, "fu_swig_text", $symname, $argnum);
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

/* Binary data in as pointer + length (packed records: NUL bytes are data):
 * bytes, bytearray, memoryview, a contiguous uint8 numpy array (any buffer
 * of 1-byte items). A str is refused saying why; the messages are worded by
 * _pythonic as "C.m(): argument N (bytes) must be ..., not T". */
%typemap(in) (const char *bytes, size_t nbytes) (Py_buffer view, int have_view = 0) {
    if (PyUnicode_Check($input)) %argument_fail(SWIG_TypeError, "fu_swig_blob_in_text", $symname, $argnum);
    if (!PyObject_CheckBuffer($input) || PyObject_GetBuffer($input, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_Clear();
        %argument_fail(SWIG_TypeError, "fu_swig_blob_in", $symname, $argnum);
    }
    have_view = 1;
    if (view.itemsize != 1) %argument_fail(SWIG_TypeError, "fu_swig_blob_in", $symname, $argnum);
    $1 = (char *)view.buf;
    $2 = (size_t)view.len;
}
%typemap(freearg) (const char *bytes, size_t nbytes) {
    if (have_view$argnum) PyBuffer_Release(&view$argnum);
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) (const char *bytes, size_t nbytes) {
    $1 = !PyUnicode_Check($input) && PyObject_CheckBuffer($input);
}

/* ---- Ledger.close(): free the C ledger now (its database is closed) ----
 * followup.core._ledger_release(ledger) closes the C ledger once a call
 * running on it from another thread has finished (it takes the handle's
 * lock), then sets the proxy's pointer to NULL and drops ownership, so the
 * collector does not free it again. Later calls on it raise StateError (the
 * `self` check below), and so does passing it where a ledger is expected.
 * Nothing borrows from a ledger: Planner.set_ledger and Kpi.add_ledger take
 * a snapshot, a CommitmentList owns its rows. Closing a ledger while another
 * thread is about to start a call on it is a race of the caller's (as with
 * a file). */
%{
static PyObject *fu_py_ledger_release(PyObject *self, PyObject *args) {
    PyObject *obj = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "O:_ledger_release", &obj)) return NULL;
    SwigPyObject *s = SWIG_Python_GetSwigThis(obj);
    if (!s || s->ty != SWIGTYPE_p_fu_ledger) {
        PyErr_SetString(PyExc_TypeError, "_ledger_release(): expected a followup.Ledger");
        return NULL;
    }
    fu_ledger *l = (fu_ledger *)s->ptr;
    int own = s->own;
    s->ptr = NULL;
    s->own = 0;
    if (l && own) {
        fu_py_lock_add(l);
        Py_BEGIN_ALLOW_THREADS
        fu_py_lock_all();
        fu_ledger_close(l);
        fu_py_unlock_all();
        Py_END_ALLOW_THREADS
        fu_py_lock_drop(l);
    }
    Py_RETURN_NONE;
}
static int fu_py_ledger_closed(const char *fn) {
    fu_py_raise(fu_error_set(FU_ESTATE, "%s: the ledger is closed", fn));
    return -1;
}
%}
%native(_ledger_release) PyObject *fu_py_ledger_release(PyObject *self, PyObject *args);
%typemap(check, noblock=1) struct fu_ledger *self {
    if (!$1) {
        fu_py_ledger_closed("$symname");
        SWIG_fail;
    }
    fu_py_lock_add($1);
}
/* A ledger argument (Planner.set_ledger, Kpi.add_ledger): None stays NULL, a
 * closed ledger raises StateError instead of reading as "no ledger". */
%typemap(in, noblock=1) struct fu_ledger *ledger (void *argp = 0, int res = 0) {
    if ($input == Py_None) {
        $1 = NULL;
    } else {
        res = SWIG_ConvertPtr($input, &argp, $descriptor, 0);
        if (!SWIG_IsOK(res)) {
            SWIG_exception_fail(SWIG_ArgError(res), "in method '" "$symname" "', argument " "$argnum" " of type '" "$1_type" "'");
        }
        if (!argp) {
            fu_py_ledger_closed("$symname");
            SWIG_fail;
        }
        $1 = ($1_ltype)argp;
    }
}

%include "../common/followup.i"

/* ---------------------------------------------------------------------------
 * Bulk adds from columns (followup.frames.book_from_frames):
 *   Book.add_customer_columns(columns: dict), Book.add_event_columns(columns: dict)
 * `columns` maps the docs/formats.md column names to one column each, all of
 * the same length: text columns as sequences of str / None (NaN = None),
 * number columns as 1-D C-contiguous numpy arrays of int64 (times in UTC
 * seconds, enum values, tristates) or float64 (amounts). One C loop, no
 * Python per row. A bad row raises with its number ("row 12: ..."); the rows
 * before it stay in the book.
 * ------------------------------------------------------------------------- */
%{
typedef struct fu_py_cols {
    PyObject *dict;
    Py_ssize_t n;
    PyObject *fast[16];
    int nfast;
    Py_buffer buf[16];
    int nbuf;
} fu_py_cols;

static void fu_py_cols_release(fu_py_cols *c) {
    for (int i = 0; i < c->nfast; i++) Py_DECREF(c->fast[i]);
    for (int i = 0; i < c->nbuf; i++) PyBuffer_Release(&c->buf[i]);
}

static int fu_py_cols_fail(int code) {
    fu_py_raise(code);
    return -1;
}

/* A text column or NULL (absent). */
static int fu_py_strcol(fu_py_cols *c, const char *key, PyObject **out) {
    PyObject *o = PyDict_GetItemString(c->dict, key);
    *out = NULL;
    if (!o || o == Py_None) return 0;
    PyObject *f = PySequence_Fast(o, "");
    if (!f) {
        PyErr_Clear();
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "column %s: expected a sequence of str", key));
    }
    c->fast[c->nfast++] = f;
    if (PySequence_Fast_GET_SIZE(f) != c->n)
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "column %s has %zd rows, expected %zd", key,
                                             PySequence_Fast_GET_SIZE(f), c->n));
    *out = f;
    return 0;
}

/* Row i of a text column: NULL for None / NaN; -1 on a bad value. */
static int fu_py_str_at(PyObject *col, Py_ssize_t i, const char *key, const char **out) {
    *out = NULL;
    if (!col) return 0;
    PyObject *v = PySequence_Fast_GET_ITEM(col, i);
    if (v == Py_None || (PyFloat_Check(v) && isnan(PyFloat_AS_DOUBLE(v)))) return 0;
    if (!PyUnicode_Check(v))
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "row %zd: column %s: expected str, got %s", i, key,
                                             Py_TYPE(v)->tp_name));
    Py_ssize_t size = 0;
    const char *s = PyUnicode_AsUTF8AndSize(v, &size);
    if (!s) {
        PyErr_Clear();
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "row %zd: column %s: not valid text", i, key));
    }
    if ((size_t)size != strlen(s))
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "row %zd: column %s: contains a NUL character", i, key));
    *out = s;
    return 0;
}

/* A number column (kind 'q': int64, 'd': float64) or NULL (absent). */
static int fu_py_numcol(fu_py_cols *c, const char *key, char kind, const void **out) {
    PyObject *o = PyDict_GetItemString(c->dict, key);
    *out = NULL;
    if (!o || o == Py_None) return 0;
    Py_buffer *b = &c->buf[c->nbuf];
    if (PyObject_GetBuffer(o, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_Clear();
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "column %s: expected a numpy array of %s", key,
                                             kind == 'd' ? "float64" : "int64"));
    }
    c->nbuf++;
    const char *f = b->format ? b->format : "B";
    while (*f == '@' || *f == '=' || *f == '<') f++;
    int ok = b->ndim == 1 && b->itemsize == 8 &&
             (kind == 'd' ? strcmp(f, "d") == 0 : (strcmp(f, "q") == 0 || strcmp(f, "l") == 0));
    if (!ok)
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "column %s: expected a 1-D array of %s", key,
                                             kind == 'd' ? "float64" : "int64"));
    if (b->shape[0] != c->n)
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "column %s has %zd rows, expected %zd", key,
                                             b->shape[0], c->n));
    *out = b->buf;
    return 0;
}

static int fu_py_cols_open(fu_py_cols *c, PyObject *dict, const char *first) {
    memset(c, 0, sizeof *c);
    if (!PyDict_Check(dict)) return fu_py_cols_fail(fu_error_set(FU_EINVAL, "columns: expected a dict"));
    c->dict = dict;
    PyObject *o = PyDict_GetItemString(dict, first);
    if (!o) return fu_py_cols_fail(fu_error_set(FU_EINVAL, "columns: no %s column", first));
    c->n = PyObject_Length(o);
    if (c->n < 0) {
        PyErr_Clear();
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "column %s: expected a sequence", first));
    }
    return 0;
}

#define FU_I64(col, i, dflt) ((col) ? ((const int64_t *)(col))[i] : (dflt))
#define FU_F64(col, i) ((col) ? ((const double *)(col))[i] : NAN)

/* Row i of an int64 enum column (kind, channel, tristate ...) as an int: a
 * value outside int is refused naming the row and column (a cast would wrap
 * it modulo 2^32 into another value; review s13 I5). */
static int fu_py_int_at(const void *col, Py_ssize_t i, const char *key, int64_t dflt, int *out) {
    int64_t v = FU_I64(col, i, dflt);
    *out = 0;
    if (v < INT_MIN || v > INT_MAX)
        return fu_py_cols_fail(fu_error_set(FU_EINVAL, "row %zd: column %s: %lld is out of range (not a value of "
                                             "the column's enumeration)", i, key, (long long)v));
    *out = (int)v;
    return 0;
}

/* Row i of an int64 time column (UTC seconds): `none` (the column's "no
 * time") passes, anything else must lie in years 1..9999 (review s13 I6). */
static int fu_py_time_at(const void *col, Py_ssize_t i, const char *key, int64_t none, int64_t *out) {
    int64_t v = FU_I64(col, i, none);
    *out = v;
    if (v != none && (v < INT64_C(-62135596800) || v > INT64_C(253402300799)))
        return fu_py_cols_fail(fu_error_set(FU_ERANGE, "row %zd: column %s: %lld is not a time (epoch seconds "
                                             "outside years 1..9999)", i, key, (long long)v));
    return 0;
}

static PyObject *fu_book_m_add_customer_columns(fu_book *b, PyObject *dict) {
    fu_py_cols c;
    PyObject *id = NULL, *tz = NULL, *industry = NULL, *pref = NULL, *dnd = NULL, *owner = NULL;
    const void *spend = NULL, *first = NULL, *smb = NULL, *cp = NULL, *cs = NULL, *ce = NULL;
    PyObject *result = NULL;
    if (fu_py_cols_open(&c, dict, "customer_id") || fu_py_strcol(&c, "customer_id", &id) ||
        fu_py_strcol(&c, "tz", &tz) || fu_py_strcol(&c, "industry", &industry) ||
        fu_py_strcol(&c, "preferred_windows", &pref) || fu_py_strcol(&c, "dnd_windows", &dnd) ||
        fu_py_strcol(&c, "owner", &owner) ||
        fu_py_numcol(&c, "annual_spend", 'd', &spend) || fu_py_numcol(&c, "first_purchase_at", 'q', &first) ||
        fu_py_numcol(&c, "is_smb", 'q', &smb) || fu_py_numcol(&c, "consent_phone", 'q', &cp) ||
        fu_py_numcol(&c, "consent_sms", 'q', &cs) || fu_py_numcol(&c, "consent_email", 'q', &ce))
        goto done;
    for (Py_ssize_t i = 0; i < c.n; i++) {
        fu_customer r;
        fu_customer_init(&r);
        if (fu_py_str_at(id, i, "customer_id", &r.id) || fu_py_str_at(tz, i, "tz", &r.tz) ||
            fu_py_str_at(industry, i, "industry", &r.industry) ||
            fu_py_str_at(pref, i, "preferred_windows", &r.preferred_windows) ||
            fu_py_str_at(dnd, i, "dnd_windows", &r.dnd_windows) || fu_py_str_at(owner, i, "owner", &r.owner))
            goto done;
        r.annual_spend = FU_F64(spend, i);
        int tri[4];
        if (fu_py_time_at(first, i, "first_purchase_at", FU_BOOK_NO_TIME, &r.first_purchase_at) ||
            fu_py_int_at(smb, i, "is_smb", FU_TRI_UNKNOWN, &tri[0]) ||
            fu_py_int_at(cp, i, "consent_phone", FU_TRI_UNKNOWN, &tri[1]) ||
            fu_py_int_at(cs, i, "consent_sms", FU_TRI_UNKNOWN, &tri[2]) ||
            fu_py_int_at(ce, i, "consent_email", FU_TRI_UNKNOWN, &tri[3]))
            goto done;
        r.is_smb = (fu_tristate)tri[0];
        r.consent_phone = (fu_tristate)tri[1];
        r.consent_sms = (fu_tristate)tri[2];
        r.consent_email = (fu_tristate)tri[3];
        fu_error_clear();
        int rc = fu_book_add_customer(b, &r, NULL);
        if (rc) {
            fu_error_prefix("row %zd", i);
            fu_py_raise(rc);
            goto done;
        }
    }
    result = SWIG_Py_Void();
done:
    fu_py_cols_release(&c);
    return result;
}

static PyObject *fu_book_m_add_event_columns(fu_book *b, PyObject *dict) {
    fu_py_cols c;
    PyObject *cid = NULL, *order = NULL, *pclass = NULL, *agent = NULL, *note = NULL;
    const void *at = NULL, *kind = NULL, *price = NULL, *amount = NULL, *sev = NULL, *chan = NULL, *outc = NULL,
               *score = NULL, *survey = NULL, *prio = NULL;
    PyObject *result = NULL;
    if (fu_py_cols_open(&c, dict, "customer_id") || fu_py_strcol(&c, "customer_id", &cid) ||
        fu_py_strcol(&c, "order_id", &order) || fu_py_strcol(&c, "product_class", &pclass) ||
        fu_py_strcol(&c, "agent_id", &agent) || fu_py_strcol(&c, "note", &note) ||
        fu_py_numcol(&c, "at", 'q', &at) || fu_py_numcol(&c, "kind", 'q', &kind) ||
        fu_py_numcol(&c, "unit_price", 'd', &price) || fu_py_numcol(&c, "amount", 'd', &amount) ||
        fu_py_numcol(&c, "severity", 'q', &sev) || fu_py_numcol(&c, "channel", 'q', &chan) ||
        fu_py_numcol(&c, "outcome", 'q', &outc) || fu_py_numcol(&c, "score", 'd', &score) ||
        fu_py_numcol(&c, "survey", 'q', &survey) || fu_py_numcol(&c, "priority", 'q', &prio))
        goto done;
    if (!at || !kind) {
        fu_py_cols_fail(fu_error_set(FU_EINVAL, "columns: the at and kind columns are required"));
        goto done;
    }
    for (Py_ssize_t i = 0; i < c.n; i++) {
        fu_event_in e;
        fu_event_in_init(&e);
        if (fu_py_str_at(cid, i, "customer_id", &e.customer_id) || fu_py_str_at(order, i, "order_id", &e.order_id) ||
            fu_py_str_at(pclass, i, "product_class", &e.product_class) ||
            fu_py_str_at(agent, i, "agent_id", &e.agent_id) || fu_py_str_at(note, i, "note", &e.note))
            goto done;
        int en[6];
        if (fu_py_time_at(at, i, "at", FU_BOOK_NO_TIME, &e.at) || fu_py_int_at(kind, i, "kind", 0, &en[0]) ||
            fu_py_int_at(sev, i, "severity", 0, &en[1]) || fu_py_int_at(chan, i, "channel", 0, &en[2]) ||
            fu_py_int_at(outc, i, "outcome", 0, &en[3]) || fu_py_int_at(survey, i, "survey", 0, &en[4]) ||
            fu_py_int_at(prio, i, "priority", 0, &en[5]))
            goto done;
        e.kind = (fu_event_kind)en[0];
        e.unit_price = FU_F64(price, i);
        e.amount = FU_F64(amount, i);
        e.severity = (fu_severity)en[1];
        e.channel = (fu_channel)en[2];
        e.outcome = (fu_outcome)en[3];
        e.score = FU_F64(score, i);
        e.survey = (fu_survey)en[4];
        e.priority = en[5];
        fu_error_clear();
        int rc = fu_book_add_event(b, &e);
        if (rc) {
            fu_error_prefix("row %zd", i);
            fu_py_raise(rc);
            goto done;
        }
    }
    result = SWIG_Py_Void();
done:
    fu_py_cols_release(&c);
    return result;
}
%}
%nothread fu_book::m_add_customer_columns; /* works on Python objects: keeps the GIL */
%nothread fu_book::m_add_event_columns;
/* They change the book with the GIL held: take the book's lock as the other
 * %nothread wrappers do (waiting for it without the GIL). */
%exception fu_book::m_add_customer_columns {
    fu_py_lock_all_gil_held();
    $action
    fu_py_unlock_all();
}
%exception fu_book::m_add_event_columns {
    fu_py_lock_all_gil_held();
    $action
    fu_py_unlock_all();
}
%rename(add_customer_columns) fu_book::m_add_customer_columns;
%rename(add_event_columns) fu_book::m_add_event_columns;
%extend fu_book {
    PyObject *m_add_customer_columns(PyObject *columns);
    PyObject *m_add_event_columns(PyObject *columns);
}

/* ---------------------------------------------------------------------------
 * Bulk KPI inputs from columns (Kpi.set_segments, Kpi.add_due in _methods.py):
 *   Kpi.set_segment_columns(columns: dict)  customer_id, segment (str; None /
 *       NaN: the row is skipped, the customer stays "unknown")
 *   Kpi.add_due_columns(columns: dict)  customer_id (str), due_to (int64 UTC
 *       s), due_from (int64, optional; KPI_NO_TIME: open), agent_id (str or
 *       None, optional)
 * One C call for all rows (fu_kpi_set_segments / fu_kpi_add_due), no Python
 * per row; add_due is all or nothing. A bad row raises naming it.
 * ------------------------------------------------------------------------- */
%{
static PyObject *fu_kpi_m_set_segment_columns(fu_kpi *k, PyObject *dict) {
    fu_py_cols c;
    PyObject *id = NULL, *seg = NULL, *result = NULL;
    const char **ids = NULL, **labels = NULL;
    size_t m = 0;
    if (fu_py_cols_open(&c, dict, "customer_id") || fu_py_strcol(&c, "customer_id", &id) ||
        fu_py_strcol(&c, "segment", &seg))
        goto done;
    if (!seg) {
        fu_py_cols_fail(fu_error_set(FU_EINVAL, "columns: the segment column is required"));
        goto done;
    }
    ids = (const char **)malloc((size_t)(c.n ? c.n : 1) * sizeof *ids);
    labels = (const char **)malloc((size_t)(c.n ? c.n : 1) * sizeof *labels);
    if (!ids || !labels) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < c.n; i++) {
        if (fu_py_str_at(id, i, "customer_id", &ids[m]) || fu_py_str_at(seg, i, "segment", &labels[m])) goto done;
        if (!ids[m]) {
            fu_py_cols_fail(fu_error_set(FU_EINVAL, "row %zd: column customer_id: a customer id is required", i));
            goto done;
        }
        if (labels[m]) m++;
    }
    fu_error_clear();
    int rc = fu_kpi_set_segments(k, ids, labels, m);
    if (rc) {
        fu_py_raise(rc);
        goto done;
    }
    result = SWIG_Py_Void();
done:
    free(ids);
    free(labels);
    fu_py_cols_release(&c);
    return result;
}

static PyObject *fu_kpi_m_add_due_columns(fu_kpi *k, PyObject *dict) {
    fu_py_cols c;
    PyObject *id = NULL, *agent = NULL, *result = NULL;
    const void *due_to = NULL, *due_from = NULL;
    fu_kpi_due *d = NULL;
    if (fu_py_cols_open(&c, dict, "customer_id") || fu_py_strcol(&c, "customer_id", &id) ||
        fu_py_strcol(&c, "agent_id", &agent) || fu_py_numcol(&c, "due_to", 'q', &due_to) ||
        fu_py_numcol(&c, "due_from", 'q', &due_from))
        goto done;
    if (!due_to) {
        fu_py_cols_fail(fu_error_set(FU_EINVAL, "columns: the due_to column is required"));
        goto done;
    }
    d = (fu_kpi_due *)malloc((size_t)(c.n ? c.n : 1) * sizeof *d);
    if (!d) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < c.n; i++) {
        if (fu_py_str_at(id, i, "customer_id", &d[i].customer_id) || fu_py_str_at(agent, i, "agent_id", &d[i].agent_id))
            goto done;
        if (d[i].agent_id && !*d[i].agent_id) d[i].agent_id = NULL; /* a plan's "": no agent */
        if (fu_py_time_at(due_to, i, "due_to", FU_KPI_NO_TIME, &d[i].due_to) ||
            fu_py_time_at(due_from, i, "due_from", FU_KPI_NO_TIME, &d[i].due_from))
            goto done;
    }
    fu_error_clear();
    int rc = fu_kpi_add_due(k, d, (size_t)c.n);
    if (rc) {
        fu_py_raise(rc);
        goto done;
    }
    result = SWIG_Py_Void();
done:
    free(d);
    fu_py_cols_release(&c);
    return result;
}
%}
%nothread fu_kpi::m_set_segment_columns; /* works on Python objects: keeps the GIL */
%nothread fu_kpi::m_add_due_columns;
%exception fu_kpi::m_set_segment_columns {
    fu_py_lock_all_gil_held();
    $action
    fu_py_unlock_all();
}
%exception fu_kpi::m_add_due_columns {
    fu_py_lock_all_gil_held();
    $action
    fu_py_unlock_all();
}
%rename(set_segment_columns) fu_kpi::m_set_segment_columns;
%rename(add_due_columns) fu_kpi::m_add_due_columns;
%extend fu_kpi {
    PyObject *m_set_segment_columns(PyObject *columns);
    PyObject *m_add_due_columns(PyObject *columns);
}

/* ---------------------------------------------------------------------------
 * Columns out (followup.frames): a plan, a commitment list or the customer ids
 * of a book as a dict of columns, built in one C loop with the GIL held (the
 * handle's lock taken as the other %nothread wrappers do). Number columns are
 * bytearrays of native int64 (times: UTC seconds, FU_BOOK_NO_TIME /
 * FU_COMMIT_NO_TIME for none) or int8 (enum codes), which numpy wraps without a
 * copy (numpy.frombuffer); text columns are lists of str (None for "" where
 * the docstring says so). No CSV, no Python per row.
 *   _plan_columns(plan, status_mask) -> dict
 *   _commitment_columns(list) -> dict
 *   _book_customer_ids(book) -> list of str
 *   _book_customer_zones(book) -> list of str or None
 *   _book_event_columns(book), _book_customer_columns(book) -> dict
 * ------------------------------------------------------------------------- */
%{
static PyObject *fu_py_numbuf(Py_ssize_t n, Py_ssize_t size, void **data) {
    PyObject *b = PyByteArray_FromStringAndSize(NULL, n * size);
    if (b) *data = PyByteArray_AS_STRING(b);
    return b;
}

/* A text cell; consecutive rows with the same pointer share one str. */
typedef struct fu_py_textcol {
    PyObject *list;
    const char *last;
    PyObject *last_obj;
    int empty_none;
} fu_py_textcol;

static int fu_py_text_set(fu_py_textcol *c, Py_ssize_t i, const char *s) {
    PyObject *v;
    if (!s || (c->empty_none && !*s)) {
        v = Py_None;
        Py_INCREF(v);
    } else if (s == c->last && c->last_obj) {
        v = c->last_obj;
        Py_INCREF(v);
    } else {
        v = PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
        if (!v) return -1;
        c->last = s;
        c->last_obj = v;
    }
    PyList_SET_ITEM(c->list, i, v);
    return 0;
}

static int fu_py_put(PyObject *d, const char *key, PyObject *v) {
    if (!v) return -1;
    int rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}

static void *fu_py_handle(PyObject *obj, swig_type_info *ty, const char *fn, const char *what) {
    void *argp = NULL;
    if (obj == Py_None || !SWIG_IsOK(SWIG_ConvertPtr(obj, &argp, ty, 0))) {
        PyErr_Format(PyExc_TypeError, "%s(): expected a followup.%s, not %s", fn, what, Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (!argp) fu_py_raise(fu_error_set(FU_ESTATE, "%s: the %s is closed", fn, what));
    return argp;
}

#define FU_PY_PLAN_TEXT 8
static const char *const fu_py_plan_text_names[FU_PY_PLAN_TEXT] = {
    "customer_id", "purpose", "rule", "reason", "status_rule", "order_id", "owner", "agent"};
#define FU_PY_PLAN_I64 6
static const char *const fu_py_plan_i64_names[FU_PY_PLAN_I64] = {"due_from", "due_to", "best_at",
                                                                 "trigger_at", "customer", "purposes"};
#define FU_PY_PLAN_I8 3
static const char *const fu_py_plan_i8_names[FU_PY_PLAN_I8] = {"channel", "priority", "status"};

static void fu_py_plan_fill(const fu_plan *p, unsigned int mask, fu_py_textcol *tc, int64_t **iv, int8_t **bv) {
    Py_ssize_t r = 0;
    for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
        size_t n = 0;
        const fu_touchpoint *t = (mask >> s) & 1u ? fu_plan_touchpoints(p, (fu_touchpoint_status)s, &n) : NULL;
        for (size_t i = 0; i < n; i++, r++) {
            const char *texts[FU_PY_PLAN_TEXT] = {t[i].customer_id, t[i].purpose, t[i].rule, t[i].reason,
                                                  t[i].status_rule, t[i].order_id, t[i].owner, t[i].agent};
            for (int k = 0; k < FU_PY_PLAN_TEXT; k++)
                if (fu_py_text_set(&tc[k], r, texts[k])) return;
            iv[0][r] = t[i].due_from;
            iv[1][r] = t[i].due_to;
            iv[2][r] = t[i].best_at;
            iv[3][r] = t[i].trigger_at;
            iv[4][r] = (int64_t)t[i].customer;
            iv[5][r] = (int64_t)t[i].purposes;
            bv[0][r] = (int8_t)t[i].channel;
            bv[1][r] = (int8_t)t[i].priority;
            bv[2][r] = (int8_t)t[i].status;
        }
    }
}

static PyObject *fu_py_plan_columns(PyObject *self, PyObject *args) {
    PyObject *obj = NULL, *d = NULL;
    unsigned int mask = 0;
    (void)self;
    if (!PyArg_ParseTuple(args, "OI:_plan_columns", &obj, &mask)) return NULL;
    const fu_plan *p = (const fu_plan *)fu_py_handle(obj, SWIGTYPE_p_fu_plan, "_plan_columns", "Plan");
    if (!p) return NULL;
    fu_py_lock_add(p);
    fu_py_lock_all_gil_held();
    Py_ssize_t n = 0;
    for (int s = 0; s < FU_TOUCHPOINT_STATUS_COUNT; s++) {
        size_t c = 0;
        if ((mask >> s) & 1u) fu_plan_touchpoints(p, (fu_touchpoint_status)s, &c);
        n += (Py_ssize_t)c;
    }
    fu_py_textcol tc[FU_PY_PLAN_TEXT];
    int64_t *iv[FU_PY_PLAN_I64];
    int8_t *bv[FU_PY_PLAN_I8];
    memset(tc, 0, sizeof tc);
    int ok = (d = PyDict_New()) != NULL;
    for (int k = 0; ok && k < FU_PY_PLAN_TEXT; k++) {
        tc[k].list = PyList_New(n);
        tc[k].empty_none = k >= 1; /* customer_id stays text, "" elsewhere is None */
        ok = tc[k].list && PyDict_SetItemString(d, fu_py_plan_text_names[k], tc[k].list) == 0;
        Py_XDECREF(tc[k].list); /* the dict holds it */
    }
    for (int k = 0; ok && k < FU_PY_PLAN_I64; k++)
        ok = fu_py_put(d, fu_py_plan_i64_names[k], fu_py_numbuf(n, 8, (void **)&iv[k])) == 0;
    for (int k = 0; ok && k < FU_PY_PLAN_I8; k++)
        ok = fu_py_put(d, fu_py_plan_i8_names[k], fu_py_numbuf(n, 1, (void **)&bv[k])) == 0;
    if (ok) {
        fu_py_plan_fill(p, mask, tc, iv, bv);
        ok = !PyErr_Occurred();
    }
    fu_py_unlock_all();
    fu_py_lock_drop(p);
    if (!ok) Py_CLEAR(d);
    return d;
}

#define FU_PY_COM_TEXT 6
static const char *const fu_py_com_text_names[FU_PY_COM_TEXT] = {"customer_id", "text", "category",
                                                                 "owner", "created_by", "rule"};
#define FU_PY_COM_I64 8
static const char *const fu_py_com_i64_names[FU_PY_COM_I64] = {
    "id", "level", "created_at", "deadline", "warn_at", "breach_at", "closed_at", "n_events"};

static PyObject *fu_py_commitment_columns(PyObject *self, PyObject *args) {
    PyObject *obj = NULL, *d = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "O:_commitment_columns", &obj)) return NULL;
    const fu_commitment_list *l = (const fu_commitment_list *)fu_py_handle(
        obj, SWIGTYPE_p_fu_commitment_list, "_commitment_columns", "CommitmentList");
    if (!l) return NULL;
    fu_py_lock_add(l);
    fu_py_lock_all_gil_held();
    Py_ssize_t n = (Py_ssize_t)fu_commitment_list_count(l);
    fu_py_textcol tc[FU_PY_COM_TEXT];
    int64_t *iv[FU_PY_COM_I64];
    int8_t *state = NULL, *warned = NULL;
    memset(tc, 0, sizeof tc);
    int ok = (d = PyDict_New()) != NULL;
    for (int k = 0; ok && k < FU_PY_COM_TEXT; k++) {
        tc[k].list = PyList_New(n);
        ok = tc[k].list && PyDict_SetItemString(d, fu_py_com_text_names[k], tc[k].list) == 0;
        Py_XDECREF(tc[k].list);
    }
    for (int k = 0; ok && k < FU_PY_COM_I64; k++)
        ok = fu_py_put(d, fu_py_com_i64_names[k], fu_py_numbuf(n, 8, (void **)&iv[k])) == 0;
    if (ok) ok = fu_py_put(d, "state", fu_py_numbuf(n, 1, (void **)&state)) == 0;
    if (ok) ok = fu_py_put(d, "warned", fu_py_numbuf(n, 1, (void **)&warned)) == 0;
    for (Py_ssize_t i = 0; ok && i < n; i++) {
        const fu_commitment *c = fu_commitment_list_get(l, (size_t)i);
        const char *texts[FU_PY_COM_TEXT] = {c->customer_id, c->text, c->category, c->owner, c->created_by, c->rule};
        for (int k = 0; ok && k < FU_PY_COM_TEXT; k++)
            ok = fu_py_text_set(&tc[k], i, texts[k] ? texts[k] : "") == 0;
        const int64_t nums[FU_PY_COM_I64] = {c->id, c->level, c->created_at, c->deadline, c->warn_at,
                                             c->breach_at, c->closed_at, (int64_t)c->n_events};
        for (int k = 0; k < FU_PY_COM_I64; k++) iv[k][i] = nums[k];
        state[i] = (int8_t)c->state;
        warned[i] = (int8_t)c->warned;
    }
    fu_py_unlock_all();
    fu_py_lock_drop(l);
    if (!ok) Py_CLEAR(d);
    return d;
}

/* One text field of every customer (book order): the id, or the zone
 * (None when absent). */
static PyObject *fu_py_book_customer_text(PyObject *args, const char *fmt, const char *name, int zone) {
    PyObject *obj = NULL;
    if (!PyArg_ParseTuple(args, fmt, &obj)) return NULL;
    const fu_book *b = (const fu_book *)fu_py_handle(obj, SWIGTYPE_p_fu_book, name, "Book");
    if (!b) return NULL;
    fu_py_lock_add(b);
    fu_py_lock_all_gil_held();
    Py_ssize_t n = (Py_ssize_t)fu_book_customer_count(b);
    fu_py_textcol tc;
    memset(&tc, 0, sizeof tc);
    tc.list = PyList_New(n);
    tc.empty_none = zone;
    for (Py_ssize_t i = 0; tc.list && i < n; i++) {
        const fu_customer *c = fu_book_customer(b, (size_t)i);
        if (fu_py_text_set(&tc, i, zone ? c->tz : c->id)) Py_CLEAR(tc.list);
    }
    fu_py_unlock_all();
    fu_py_lock_drop(b);
    return tc.list;
}

static PyObject *fu_py_book_customer_ids(PyObject *self, PyObject *args) {
    (void)self;
    return fu_py_book_customer_text(args, "O:_book_customer_ids", "_book_customer_ids", 0);
}

static PyObject *fu_py_book_customer_zones(PyObject *self, PyObject *args) {
    (void)self;
    return fu_py_book_customer_text(args, "O:_book_customer_zones", "_book_customer_zones", 1);
}

/* The events of a book (book order) as columns: text (customer_id, order_id,
 * product_class, agent_id, note; None when absent), int64 at, float64
 * unit_price / amount / score, int8 kind / severity / channel / outcome /
 * survey / priority (the stored bytes). */
#define FU_PY_EV_TEXT 5
static const char *const fu_py_ev_text_names[FU_PY_EV_TEXT] = {"customer_id", "order_id", "product_class",
                                                               "agent_id", "note"};
#define FU_PY_EV_F64 3
static const char *const fu_py_ev_f64_names[FU_PY_EV_F64] = {"unit_price", "amount", "score"};
#define FU_PY_EV_I8 6
static const char *const fu_py_ev_i8_names[FU_PY_EV_I8] = {"kind", "severity", "channel", "outcome", "survey",
                                                           "priority"};

static int fu_py_event_row(const fu_book *b, const fu_event *e, Py_ssize_t i, fu_py_textcol *tc, int64_t *at,
                           double **fv, int8_t **bv) {
    const char *texts[FU_PY_EV_TEXT] = {fu_book_customer(b, e->customer)->id, fu_book_string(b, e->order_id),
                                        fu_book_string(b, e->product_class), fu_book_string(b, e->agent_id),
                                        fu_book_string(b, e->note)};
    for (int k = 0; k < FU_PY_EV_TEXT; k++)
        if (fu_py_text_set(&tc[k], i, texts[k])) return -1;
    at[i] = e->at;
    fv[0][i] = e->unit_price;
    fv[1][i] = e->amount;
    fv[2][i] = (double)e->score;
    const uint8_t bytes[FU_PY_EV_I8] = {e->kind, e->severity, e->channel, e->outcome, e->survey, e->priority};
    for (int k = 0; k < FU_PY_EV_I8; k++) bv[k][i] = (int8_t)bytes[k];
    return 0;
}

static PyObject *fu_py_book_event_columns(PyObject *self, PyObject *args) {
    PyObject *obj = NULL, *d = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "O:_book_event_columns", &obj)) return NULL;
    const fu_book *b = (const fu_book *)fu_py_handle(obj, SWIGTYPE_p_fu_book, "_book_event_columns", "Book");
    if (!b) return NULL;
    fu_py_lock_add(b);
    fu_py_lock_all_gil_held();
    size_t count = 0;
    const fu_event *ev = fu_book_events(b, &count);
    Py_ssize_t n = (Py_ssize_t)count;
    fu_py_textcol tc[FU_PY_EV_TEXT];
    int64_t *at = NULL;
    double *fv[FU_PY_EV_F64];
    int8_t *bv[FU_PY_EV_I8];
    memset(tc, 0, sizeof tc);
    int ok = (d = PyDict_New()) != NULL;
    for (int k = 0; ok && k < FU_PY_EV_TEXT; k++) {
        tc[k].list = PyList_New(n);
        tc[k].empty_none = 1;
        ok = tc[k].list && PyDict_SetItemString(d, fu_py_ev_text_names[k], tc[k].list) == 0;
        Py_XDECREF(tc[k].list);
    }
    if (ok) ok = fu_py_put(d, "at", fu_py_numbuf(n, 8, (void **)&at)) == 0;
    for (int k = 0; ok && k < FU_PY_EV_F64; k++)
        ok = fu_py_put(d, fu_py_ev_f64_names[k], fu_py_numbuf(n, 8, (void **)&fv[k])) == 0;
    for (int k = 0; ok && k < FU_PY_EV_I8; k++)
        ok = fu_py_put(d, fu_py_ev_i8_names[k], fu_py_numbuf(n, 1, (void **)&bv[k])) == 0;
    for (Py_ssize_t i = 0; ok && i < n; i++) ok = fu_py_event_row(b, &ev[i], i, tc, at, fv, bv) == 0;
    fu_py_unlock_all();
    fu_py_lock_drop(b);
    if (!ok) Py_CLEAR(d);
    return d;
}

/* The customers of a book (book order) as columns: text (customer_id, tz,
 * industry, preferred_windows, dnd_windows, owner; None when absent), float64
 * annual_spend, int64 first_purchase_at, int8 is_smb / consent_phone /
 * consent_sms / consent_email. */
#define FU_PY_CU_TEXT 6
static const char *const fu_py_cu_text_names[FU_PY_CU_TEXT] = {"customer_id", "tz", "industry",
                                                               "preferred_windows", "dnd_windows", "owner"};
#define FU_PY_CU_I8 4
static const char *const fu_py_cu_i8_names[FU_PY_CU_I8] = {"is_smb", "consent_phone", "consent_sms",
                                                           "consent_email"};

static PyObject *fu_py_book_customer_columns(PyObject *self, PyObject *args) {
    PyObject *obj = NULL, *d = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "O:_book_customer_columns", &obj)) return NULL;
    const fu_book *b = (const fu_book *)fu_py_handle(obj, SWIGTYPE_p_fu_book, "_book_customer_columns", "Book");
    if (!b) return NULL;
    fu_py_lock_add(b);
    fu_py_lock_all_gil_held();
    Py_ssize_t n = (Py_ssize_t)fu_book_customer_count(b);
    fu_py_textcol tc[FU_PY_CU_TEXT];
    double *spend = NULL;
    int64_t *first = NULL;
    int8_t *bv[FU_PY_CU_I8];
    memset(tc, 0, sizeof tc);
    int ok = (d = PyDict_New()) != NULL;
    for (int k = 0; ok && k < FU_PY_CU_TEXT; k++) {
        tc[k].list = PyList_New(n);
        tc[k].empty_none = k >= 1;
        ok = tc[k].list && PyDict_SetItemString(d, fu_py_cu_text_names[k], tc[k].list) == 0;
        Py_XDECREF(tc[k].list);
    }
    if (ok) ok = fu_py_put(d, "annual_spend", fu_py_numbuf(n, 8, (void **)&spend)) == 0;
    if (ok) ok = fu_py_put(d, "first_purchase_at", fu_py_numbuf(n, 8, (void **)&first)) == 0;
    for (int k = 0; ok && k < FU_PY_CU_I8; k++)
        ok = fu_py_put(d, fu_py_cu_i8_names[k], fu_py_numbuf(n, 1, (void **)&bv[k])) == 0;
    for (Py_ssize_t i = 0; ok && i < n; i++) {
        const fu_customer *c = fu_book_customer(b, (size_t)i);
        const char *texts[FU_PY_CU_TEXT] = {c->id, c->tz, c->industry, c->preferred_windows, c->dnd_windows,
                                            c->owner};
        for (int k = 0; ok && k < FU_PY_CU_TEXT; k++) ok = fu_py_text_set(&tc[k], i, texts[k]) == 0;
        spend[i] = c->annual_spend;
        first[i] = c->first_purchase_at;
        const int tri[FU_PY_CU_I8] = {(int)c->is_smb, (int)c->consent_phone, (int)c->consent_sms,
                                      (int)c->consent_email};
        for (int k = 0; k < FU_PY_CU_I8; k++) bv[k][i] = (int8_t)tri[k];
    }
    fu_py_unlock_all();
    fu_py_lock_drop(b);
    if (!ok) Py_CLEAR(d);
    return d;
}
%}
%native(_book_event_columns) PyObject *fu_py_book_event_columns(PyObject *self, PyObject *args);
%native(_book_customer_columns) PyObject *fu_py_book_customer_columns(PyObject *self, PyObject *args);
%native(_plan_columns) PyObject *fu_py_plan_columns(PyObject *self, PyObject *args);
%native(_commitment_columns) PyObject *fu_py_commitment_columns(PyObject *self, PyObject *args);
%native(_book_customer_ids) PyObject *fu_py_book_customer_ids(PyObject *self, PyObject *args);
%native(_book_customer_zones) PyObject *fu_py_book_customer_zones(PyObject *self, PyObject *args);

/* ---------------------------------------------------------------------------
 * Scores over numpy arrays without copies (followup.models):
 *   _score(model, gg, x, t_x, T, zbar, p_alive, expected, clv,
 *          horizon, period, periods, discount, margin) -> None
 * model: BgNbd or ParetoNbd; gg: GammaGamma or None. x, t_x, T (and zbar
 * when clv is wanted, else None): 1-D C-contiguous float64 buffers of one
 * length, read in place (numpy arrays, a float64 Series' .to_numpy()). The
 * outputs p_alive / expected / clv: writable float64 buffers of that length
 * or None (not computed); all asked for are filled in one pass
 * (fu_segment_*_score), with the GIL released.
 * ------------------------------------------------------------------------- */
%{
static int fu_py_f64(PyObject *o, Py_buffer *b, int writable, const char *name, Py_ssize_t *n) {
    if (PyObject_GetBuffer(o, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0) {
        PyErr_Clear();
        fu_py_raise(fu_error_set(FU_EINVAL, "%s: expected a %s 1-D float64 array", name,
                                  writable ? "writable" : "contiguous"));
        return -1;
    }
    const char *f = b->format ? b->format : "B";
    while (*f == '@' || *f == '=' || *f == '<') f++;
    if (b->ndim != 1 || b->itemsize != 8 || strcmp(f, "d") != 0) {
        PyBuffer_Release(b);
        fu_py_raise(fu_error_set(FU_EINVAL, "%s: expected a 1-D float64 array", name));
        return -1;
    }
    if (*n >= 0 && b->shape[0] != *n) {
        PyBuffer_Release(b);
        fu_py_raise(fu_error_set(FU_EINVAL, "%s has %zd values, expected %zd", name, b->shape[0], *n));
        return -1;
    }
    *n = b->shape[0];
    return 0;
}

static PyObject *fu_py_score(PyObject *self, PyObject *args) {
    PyObject *mo, *ggo, *in[4], *out[3];
    double horizon, period, discount, margin;
    unsigned int periods;
    PyObject *periods_o;
    static const char *const names[7] = {"x", "t_x", "T", "zbar", "p_alive", "expected", "clv"};
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOddO!dd:_score", &mo, &ggo, &in[0], &in[1], &in[2], &in[3], &out[0],
                          &out[1], &out[2], &horizon, &period, &PyLong_Type, &periods_o, &discount, &margin))
        return NULL;
    { /* "I" would take -3 as 4294967293 periods */
        unsigned long pv = PyLong_AsUnsignedLong(periods_o);
        if ((pv == (unsigned long)-1 && PyErr_Occurred()) || pv > UINT_MAX) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "_score(): periods must be an int in 0..%u, not %R", UINT_MAX, periods_o);
            return NULL;
        }
        periods = (unsigned int)pv;
    }
    void *m = NULL, *gg = NULL;
    int pareto = 0;
    if (SWIG_IsOK(SWIG_ConvertPtr(mo, &m, SWIGTYPE_p_fu_segment_bgnbd, 0)) && mo != Py_None) pareto = 0;
    else if (SWIG_IsOK(SWIG_ConvertPtr(mo, &m, SWIGTYPE_p_fu_segment_pareto, 0)) && mo != Py_None) pareto = 1;
    else {
        PyErr_Format(PyExc_TypeError, "_score(): expected a followup.BgNbd or ParetoNbd, not %s",
                     Py_TYPE(mo)->tp_name);
        return NULL;
    }
    if (ggo != Py_None && !SWIG_IsOK(SWIG_ConvertPtr(ggo, &gg, SWIGTYPE_p_fu_segment_gammagamma, 0))) {
        PyErr_Format(PyExc_TypeError, "_score(): gg: expected a followup.GammaGamma or None, not %s",
                     Py_TYPE(ggo)->tp_name);
        return NULL;
    }
    Py_buffer buf[7];
    double *ptr[7] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    int got = 0, ok = 1;
    Py_ssize_t n = -1;
    for (int k = 0; k < 7 && ok; k++) {
        PyObject *o = k < 4 ? in[k] : out[k - 4];
        if (o == Py_None) continue;
        ok = fu_py_f64(o, &buf[k], k >= 4, names[k], &n) == 0;
        if (ok) {
            ptr[k] = (double *)buf[k].buf;
            got |= 1 << k;
        }
    }
    if (ok && (!ptr[0] || !ptr[1] || !ptr[2])) {
        fu_py_raise(fu_error_set(FU_EINVAL, "_score: x, t_x and T are required"));
        ok = 0;
    }
    if (ok) {
        fu_segment_score_options o;
        fu_segment_score_options_init(&o);
        o.horizon = horizon;
        o.period = period;
        o.periods = periods;
        o.discount = discount;
        o.margin = margin;
        int rc;
        fu_py_lock_add(m);
        if (gg) fu_py_lock_add(gg);
        Py_BEGIN_ALLOW_THREADS
        fu_py_lock_all();
        fu_error_clear();
        rc = pareto ? fu_segment_pareto_score((const fu_segment_pareto *)m, (const fu_segment_gammagamma *)gg,
                                              ptr[0], ptr[1], ptr[2], ptr[3], (size_t)n, &o, ptr[4], ptr[5], ptr[6])
                    : fu_segment_bgnbd_score((const fu_segment_bgnbd *)m, (const fu_segment_gammagamma *)gg,
                                             ptr[0], ptr[1], ptr[2], ptr[3], (size_t)n, &o, ptr[4], ptr[5], ptr[6]);
        fu_py_unlock_all();
        Py_END_ALLOW_THREADS
        if (gg) fu_py_lock_drop(gg);
        fu_py_lock_drop(m);
        if (rc) {
            fu_py_raise(rc);
            ok = 0;
        }
    }
    for (int k = 0; k < 7; k++)
        if (got & (1 << k)) PyBuffer_Release(&buf[k]);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}
%}
%native(_score) PyObject *fu_py_score(PyObject *self, PyObject *args);

/* ---------------------------------------------------------------------------
 * Calendar bulk calls over numpy arrays without copies (followup._methods):
 *   _calendar_bulk(calendar, op, t, n, seconds, mode, out) -> None
 * op 0: hour of week (out: uint8), 1: + seconds of business time (out:
 * int64), 2: + n[i] working days in `mode` (n: int32, out: int64). t: a 1-D
 * C-contiguous int64 buffer of UTC epoch seconds, read in place; out: a
 * writable buffer of t's length; n (op 2 only, else None): int32 of that
 * length. C runs with the GIL released and the calendar locked as for the
 * other calls.
 * ------------------------------------------------------------------------- */
%{
static int fu_py_ints(PyObject *o, Py_buffer *b, int writable, Py_ssize_t size, const char *name,
                      Py_ssize_t *n) {
    if (PyObject_GetBuffer(o, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0) {
        PyErr_Clear();
        fu_py_raise(fu_error_set(FU_EINVAL, "%s: expected a %s 1-D array of %zd-byte integers", name,
                                  writable ? "writable" : "contiguous", size));
        return -1;
    }
    const char *f = b->format ? b->format : "B";
    while (*f == '@' || *f == '=' || *f == '<') f++;
    if (b->ndim != 1 || b->itemsize != size || !strchr(size == 1 ? "Bb" : size == 4 ? "il" : "qlL", *f) ||
        f[1]) {
        PyBuffer_Release(b);
        fu_py_raise(fu_error_set(FU_EINVAL, "%s: expected a 1-D array of %zd-byte integers", name, size));
        return -1;
    }
    if (*n >= 0 && b->shape[0] != *n) {
        PyBuffer_Release(b);
        fu_py_raise(fu_error_set(FU_EINVAL, "%s has %zd values, expected %zd", name, b->shape[0], *n));
        return -1;
    }
    *n = b->shape[0];
    return 0;
}

static PyObject *fu_py_calendar_bulk(PyObject *self, PyObject *args) {
    PyObject *co, *to, *no, *oo;
    int op, mode;
    long long seconds;
    void *cal = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "OiOOLiO:_calendar_bulk", &co, &op, &to, &no, &seconds, &mode, &oo)) return NULL;
    if (co == Py_None || !SWIG_IsOK(SWIG_ConvertPtr(co, &cal, SWIGTYPE_p_fu_calendar, 0))) {
        PyErr_Format(PyExc_TypeError, "_calendar_bulk(): expected a followup.Calendar, not %s", Py_TYPE(co)->tp_name);
        return NULL;
    }
    if (op < 0 || op > 2 || (op == 2) != (no != Py_None)) {
        PyErr_SetString(PyExc_ValueError, "_calendar_bulk(): op must be 0, 1 or 2 (n with 2 only)");
        return NULL;
    }
    Py_buffer tb, nb, ob;
    Py_ssize_t n = -1;
    if (fu_py_ints(to, &tb, 0, 8, "times", &n)) return NULL;
    if (op == 2 && fu_py_ints(no, &nb, 0, 4, "n", &n)) {
        PyBuffer_Release(&tb);
        return NULL;
    }
    if (fu_py_ints(oo, &ob, 1, op == 0 ? 1 : 8, "out", &n)) {
        if (op == 2) PyBuffer_Release(&nb);
        PyBuffer_Release(&tb);
        return NULL;
    }
    int rc;
    fu_py_lock_add(cal);
    Py_BEGIN_ALLOW_THREADS
    fu_py_lock_all();
    fu_error_clear();
    if (op == 0)
        rc = fu_calendar_hour_of_week_bulk((const fu_calendar *)cal, (const int64_t *)tb.buf, (size_t)n,
                                           (uint8_t *)ob.buf);
    else if (op == 1)
        rc = fu_calendar_add_business_bulk((const fu_calendar *)cal, (const int64_t *)tb.buf, (size_t)n,
                                           (int64_t)seconds, (int64_t *)ob.buf);
    else
        rc = fu_calendar_add_working_days_bulk((const fu_calendar *)cal, (const int64_t *)tb.buf,
                                               (const int *)nb.buf, (size_t)n, (fu_workday_mode)mode,
                                               (int64_t *)ob.buf);
    fu_py_unlock_all();
    Py_END_ALLOW_THREADS
    fu_py_lock_drop(cal);
    PyBuffer_Release(&ob);
    if (op == 2) PyBuffer_Release(&nb);
    PyBuffer_Release(&tb);
    if (rc) {
        fu_py_raise(rc);
        return NULL;
    }
    Py_RETURN_NONE;
}
%}
%native(_calendar_bulk) PyObject *fu_py_calendar_bulk(PyObject *self, PyObject *args);

/* ---------------------------------------------------------------------------
 * Many notes masked in few C calls (Redactor.apply_many, bindings/common/redact.i):
 *   _redact_many(redactor, texts: list) -> list
 * Each item: a str (masked), or None / a float NaN / pandas.NA (a missing
 * note, handed back as it is). The list goes to fu_redactor_apply_bulk in batches of
 * FU_PY_MANY texts, each with the GIL released (small buffers, reused: one
 * buffer for the whole list cost page faults and copies as it grew). ASCII
 * str are read in place, others encoded to UTF-8 into the batch's scratch;
 * an item whose masked text equals it comes back as the same str object. The
 * call holds a reference to every item of a batch while C reads it.
 * ------------------------------------------------------------------------- */
%{
#define FU_PY_MANY 1024

typedef struct fu_py_many {
    PyObject *item[FU_PY_MANY];
    const char *text[FU_PY_MANY];
    size_t len[FU_PY_MANY], off[FU_PY_MANY + 1], at[FU_PY_MANY];
    char missing[FU_PY_MANY], ascii[FU_PY_MANY];
    char *utf8; /* UTF-8 of the batch's non-ASCII items */
    size_t cap, used;
} fu_py_many;

/* UTF-8 of code points d[0 .. n) (one of the str kinds) at w; NULL at a lone
 * surrogate, *bad = its position. */
#define FU_PY_UTF8_LOOP(T)                                                                \
    static unsigned char *fu_py_utf8_##T(const T *d, Py_ssize_t n, unsigned char *w,     \
                                         Py_ssize_t *bad) {                              \
        for (Py_ssize_t i = 0; i < n; i++) {                                             \
            Py_UCS4 c = d[i];                                                            \
            if (c < 0x80) {                                                              \
                *w++ = (unsigned char)c;                                                 \
            } else if (c < 0x800) {                                                      \
                *w++ = (unsigned char)(0xC0 | (c >> 6));                                 \
                *w++ = (unsigned char)(0x80 | (c & 0x3F));                               \
            } else if (c < 0x10000) {                                                    \
                if (c >= 0xD800 && c <= 0xDFFF) {                                        \
                    *bad = i;                                                            \
                    return NULL;                                                         \
                }                                                                        \
                *w++ = (unsigned char)(0xE0 | (c >> 12));                                \
                *w++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));                        \
                *w++ = (unsigned char)(0x80 | (c & 0x3F));                               \
            } else {                                                                     \
                *w++ = (unsigned char)(0xF0 | (c >> 18));                                \
                *w++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));                       \
                *w++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));                        \
                *w++ = (unsigned char)(0x80 | (c & 0x3F));                               \
            }                                                                            \
        }                                                                                \
        return w;                                                                        \
    }
FU_PY_UTF8_LOOP(Py_UCS1)
FU_PY_UTF8_LOOP(Py_UCS2)
FU_PY_UTF8_LOOP(Py_UCS4)

/* Append the UTF-8 of a non-ASCII str to m->utf8; -1 (exception set) for a
 * lone surrogate or no memory. */
static int fu_py_many_utf8(fu_py_many *m, PyObject *o, Py_ssize_t index) {
    if (PyUnicode_READY(o) < 0) return -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(o), bad = 0;
    int kind = PyUnicode_KIND(o);
    const void *d = PyUnicode_DATA(o);
    if ((size_t)n > (SIZE_MAX - m->used) / 4) return PyErr_NoMemory(), -1;
    size_t need = m->used + 4 * (size_t)n;
    if (need > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < need) cap *= 2;
        char *b = (char *)realloc(m->utf8, cap);
        if (!b) return PyErr_NoMemory(), -1;
        m->utf8 = b;
        m->cap = cap;
    }
    unsigned char *w = (unsigned char *)m->utf8 + m->used;
    w = kind == PyUnicode_1BYTE_KIND ? fu_py_utf8_Py_UCS1((const Py_UCS1 *)d, n, w, &bad)
        : kind == PyUnicode_2BYTE_KIND ? fu_py_utf8_Py_UCS2((const Py_UCS2 *)d, n, w, &bad)
                                       : fu_py_utf8_Py_UCS4((const Py_UCS4 *)d, n, w, &bad);
    if (!w) {
        PyErr_Format(PyExc_ValueError, "apply_many(): texts[%zd] cannot be encoded as UTF-8 (a lone surrogate at %zd)",
                     index, bad);
        return -1;
    }
    m->used = (size_t)((char *)w - m->utf8);
    return 0;
}

/* A text with a NUL is refused, as Redactor.apply() refuses it (C would
 * read it as two texts' worth or cut it short). */
static int fu_py_many_nul(const char *text, size_t len, Py_ssize_t index) {
    const char *z = (const char *)memchr(text, 0, len);
    if (!z) return 0;
    fu_py_raise(fu_error_set(FU_EINVAL, "apply_many(): texts[%zd] contains a NUL character at byte %zd "
                             "(refused rather than cut short, as apply() does)", index, (Py_ssize_t)(z - text)));
    return -1;
}

/* Take items [i0, i0 + k) of `list` (GIL held); -1 with an exception set. */
static int fu_py_many_take(fu_py_many *m, PyObject *list, Py_ssize_t i0, int k) {
    m->used = 0;
    for (int j = 0; j < k; j++) {
        PyObject *o = PyList_GET_ITEM(list, i0 + j);
        Py_INCREF(o);
        m->item[j] = o;
        m->text[j] = "";
        m->len[j] = 0;
        m->missing[j] = o == Py_None || (PyFloat_Check(o) && isnan(PyFloat_AS_DOUBLE(o))) ||
                        strcmp(Py_TYPE(o)->tp_name, "NAType") == 0; /* pandas.NA */
        m->ascii[j] = 1;
        if (m->missing[j]) continue;
        if (!PyUnicode_Check(o)) {
            PyErr_Format(PyExc_TypeError, "apply_many(): texts[%zd]: expected str or None, not %s", i0 + j,
                         Py_TYPE(o)->tp_name);
            return -1;
        }
        if (PyUnicode_IS_COMPACT_ASCII(o)) {
            Py_ssize_t len = 0;
            m->text[j] = PyUnicode_AsUTF8AndSize(o, &len); /* the str's own bytes */
            if (!m->text[j]) return -1;
            m->len[j] = (size_t)len;
            if (fu_py_many_nul(m->text[j], m->len[j], i0 + j) < 0) return -1;
            continue;
        }
        size_t at = m->used;
        if (fu_py_many_utf8(m, o, i0 + j) < 0) return -1;
        m->ascii[j] = 0;
        m->at[j] = at;
        m->len[j] = m->used - at;
        if (fu_py_many_nul(m->utf8 + at, m->len[j], i0 + j) < 0) return -1;
    }
    for (int j = 0; j < k; j++) /* the scratch no longer moves */
        if (!m->missing[j] && !m->ascii[j]) m->text[j] = m->utf8 + m->at[j];
    return 0;
}

/* Put the batch's results in res[i0 ...]; -1 with an exception set. */
static int fu_py_many_put(const fu_py_many *m, const char *out, PyObject *res, Py_ssize_t i0, int k) {
    for (int j = 0; j < k; j++) {
        const char *s = out + m->off[j];
        size_t len = m->off[j + 1] - m->off[j] - 1;
        PyObject *v;
        if (m->missing[j] || (len == m->len[j] && memcmp(s, m->text[j], len) == 0)) {
            v = m->item[j];
            Py_INCREF(v);
        } else if ((v = PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "strict")) == NULL) {
            return -1;
        }
        PyList_SET_ITEM(res, i0 + j, v);
    }
    return 0;
}

static PyObject *fu_py_redact_many(PyObject *self, PyObject *args) {
    PyObject *ro, *list;
    void *r = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "OO!:_redact_many", &ro, &PyList_Type, &list)) return NULL;
    if (!SWIG_IsOK(SWIG_ConvertPtr(ro, &r, SWIGTYPE_p_fu_redactor, 0)) || !r) {
        PyErr_Format(PyExc_TypeError, "_redact_many(): expected a followup.Redactor, not %s", Py_TYPE(ro)->tp_name);
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    fu_py_many *m = (fu_py_many *)calloc(1, sizeof *m);
    PyObject *res = m ? PyList_New(n) : PyErr_NoMemory();
    for (Py_ssize_t i0 = 0; res && i0 < n; i0 += FU_PY_MANY) {
        Py_ssize_t want = n - i0 < FU_PY_MANY ? n - i0 : FU_PY_MANY;
        if (PyList_GET_SIZE(list) < i0 + want) { /* another thread shrank it while C ran */
            Py_CLEAR(res);
            PyErr_SetString(PyExc_RuntimeError, "apply_many(): the list changed size during the call");
            break;
        }
        int k = (int)want, rc = FU_OK, ok;
        char *out = NULL;
        memset(m->item, 0, sizeof m->item);
        ok = fu_py_many_take(m, list, i0, k) == 0;
        if (ok) {
            fu_py_lock_add(r);
            {
                SWIG_PYTHON_THREAD_BEGIN_ALLOW;
                fu_error_clear();
                rc = fu_redactor_apply_bulk((fu_redactor *)r, m->text, m->len, (size_t)k, m->off, &out);
                SWIG_PYTHON_THREAD_END_ALLOW;
            }
            fu_py_lock_drop(r);
            if (rc) {
                char msg[512];
                snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
                fu_py_raise(fu_error_set(rc, "apply_many(): texts[%zd:%zd]: %s", i0, i0 + k, msg));
                ok = 0;
            }
        }
        if (ok) ok = fu_py_many_put(m, out, res, i0, k) == 0;
        fu_free(out);
        for (int j = 0; j < k; j++) Py_XDECREF(m->item[j]);
        if (!ok) Py_CLEAR(res);
    }
    if (m) free(m->utf8);
    free(m);
    return res;
}
%}
%native(_redact_many) PyObject *fu_py_redact_many(PyObject *self, PyObject *args);

/* ---------------------------------------------------------------------------
 * Per-call fast paths (issue 19: masking and extraction one note at a time):
 *   _fast_method(cls, name, which) -> None
 * replaces the method `name` of class `cls` (the Python wrapper of
 * _pythonic.install_type_errors, which stays as the fallback) by a C method
 * object: called as obj.name(...) it runs the C function directly (no Python
 * frame, no argument tuple, no SWIG proxy method) when the call is the common
 * one (positional arguments of the usual types, a text of at most
 * FU_PY_FAST_MAX bytes without NUL, a handle whose lock is free) and hands
 * every other call (keywords, other types, a failure, a busy handle) to the
 * wrapper, which gives the same result and the same errors as before. The
 * object keeps the wrapper's __signature__, __doc__ and __wrapped__.
 *
 * Threads: a fast call takes the lock stripes of the handles it uses (as
 * every call does, docs/bindings.md "Threads") without waiting
 * (pthread_mutex_trylock) and runs the short C call with the GIL held: a
 * busy lock sends the call to the wrapper, which waits for it without the
 * GIL. Releasing and taking back the GIL costs more than masking a note.
 * `which`: 0 Redactor.apply, 1 Extractor.run, 2 Extraction.promise_count,
 * 3 Extraction.risk_count.
 * ------------------------------------------------------------------------- */
%{
#define FU_PY_FAST_MAX 4096

/* 1: handled (*res the result, or NULL with an exception set); 0: declined
 * with nothing done (the wrapper runs the call). args[0] is self. */
typedef int (*fu_py_fast_fn)(PyObject *const *args, Py_ssize_t nargs, PyObject **res);

typedef struct fu_py_fastm {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    fu_py_fast_fn fn;
    PyObject *fallback;
    PyObject *dict;
} fu_py_fastm;

static PyObject *fu_py_fastm_call(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    fu_py_fastm *m = (fu_py_fastm *)callable;
    Py_ssize_t n = PyVectorcall_NARGS(nargsf);
    PyObject *res = NULL;
    if (!kwnames && n >= 1 && m->fn(args, n, &res)) return res;
    return PyObject_Vectorcall(m->fallback, args, nargsf, kwnames);
}

static PyObject *fu_py_fastm_get(PyObject *self, PyObject *obj, PyObject *type) {
    (void)type;
    if (obj == NULL || obj == Py_None) {
        Py_INCREF(self);
        return self;
    }
    return PyMethod_New(self, obj);
}

static int fu_py_fastm_traverse(PyObject *self, visitproc visit, void *arg) {
    fu_py_fastm *m = (fu_py_fastm *)self;
    Py_VISIT(m->fallback);
    Py_VISIT(m->dict);
    return 0;
}

static int fu_py_fastm_clear(PyObject *self) {
    fu_py_fastm *m = (fu_py_fastm *)self;
    Py_CLEAR(m->fallback);
    Py_CLEAR(m->dict);
    return 0;
}

static void fu_py_fastm_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    fu_py_fastm_clear(self);
    PyObject_GC_Del(self);
}

static PyGetSetDef fu_py_fastm_getset[] = {
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject fu_py_fastm_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "followup.core.fast_method",
    .tp_basicsize = sizeof(fu_py_fastm),
    .tp_dealloc = fu_py_fastm_dealloc,
    .tp_vectorcall_offset = offsetof(fu_py_fastm, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_setattro = PyObject_GenericSetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
    .tp_doc = NULL,
    .tp_traverse = fu_py_fastm_traverse,
    .tp_clear = fu_py_fastm_clear,
    .tp_getset = fu_py_fastm_getset,
    .tp_descr_get = fu_py_fastm_get,
    .tp_dictoffset = offsetof(fu_py_fastm, dict),
};

/* The C pointer of a proxy of exactly type ty (its attribute `this`, as
 * SWIG keeps it), or NULL for anything else (nothing raised). */
static void *fu_py_fast_ptr(PyObject *obj, swig_type_info *ty) {
    /* the interned name: instances hold `this` under the interned str
     * (PyObject_SetAttr interns names), found by identity, where SWIG's own
     * string is compared character by character */
    static PyObject *name;
    if (!name && !(name = PyUnicode_InternFromString("this"))) {
        PyErr_Clear();
        return NULL;
    }
    PyObject *t = PyObject_GenericGetAttr(obj, name);
    void *p = NULL;
    if (!t) {
        PyErr_Clear();
        return NULL;
    }
    if (Py_TYPE(t) == SwigPyObject_type() && ((SwigPyObject *)t)->ty == ty) p = ((SwigPyObject *)t)->ptr;
    Py_DECREF(t);
    return p;
}

/* A new proxy owning ptr (of type ty), as SWIG_NewPointerObj makes it but
 * without calling the class's __new__ through Python. */
static PyObject *fu_py_fast_proxy(void *ptr, swig_type_info *ty) {
    static PyObject *no_args;
    SwigPyClientData *data = (SwigPyClientData *)ty->clientdata;
    if (!no_args && !(no_args = PyTuple_New(0))) return NULL;
    if (!data || !data->klass || !PyType_Check(data->klass) || data->pytype)
        return SWIG_NewPointerObj(ptr, ty, SWIG_POINTER_OWN);
    PyObject *sobj = SwigPyObject_New(ptr, ty, SWIG_POINTER_OWN); /* frees ptr when it goes */
    if (!sobj) return NULL;
    PyObject *inst = PyBaseObject_Type.tp_new((PyTypeObject *)data->klass, no_args, NULL);
    if (inst && PyObject_SetAttr(inst, SWIG_This(), sobj) < 0) Py_CLEAR(inst);
    Py_DECREF(sobj);
    return inst;
}

/* The UTF-8 of a str of at most FU_PY_FAST_MAX bytes without NUL (the str's
 * own cached bytes, no copy); 0 for anything else (nothing raised). */
static int fu_py_fast_text(PyObject *o, const char **s, size_t *len) {
    Py_ssize_t n = 0;
    if (!PyUnicode_CheckExact(o)) return 0;
    if (PyUnicode_IS_COMPACT_ASCII(o)) { /* its characters are its UTF-8 */
        n = PyUnicode_GET_LENGTH(o);
        const char *a = (const char *)PyUnicode_DATA(o);
        if (n > FU_PY_FAST_MAX || memchr(a, '\0', (size_t)n)) return 0;
        *s = a;
        *len = (size_t)n;
        return 1;
    }
    const char *p = PyUnicode_AsUTF8AndSize(o, &n);
    if (!p) {
        PyErr_Clear();
        return 0;
    }
    if (n > FU_PY_FAST_MAX || memchr(p, '\0', (size_t)n)) return 0;
    *s = p;
    *len = (size_t)n;
    return 1;
}

/* Lock the stripes of handles a and b (b may be NULL) without waiting, with
 * the GIL held: 1 when locked; 0 when one is busy (held by another thread,
 * or by this one when a signal handler run by the cancel hook calls back
 * into a handle of the call it interrupted: the wrapper's nested rule then
 * applies). Never waiting, it cannot deadlock with the ordered locking of
 * the wrappers. The stripes are initialised by _fast_method. */
typedef struct fu_py_fastlock {
    int st[2], n;
} fu_py_fastlock;
static int fu_py_fast_lock(fu_py_fastlock *l, const void *a, const void *b) {
    l->n = 0;
    int x = fu_py_stripe_of(a), y = b ? fu_py_stripe_of(b) : x;
    if (pthread_mutex_trylock(&fu_py_stripe[x])) return 0;
    l->st[l->n++] = x;
    if (y != x) {
        if (pthread_mutex_trylock(&fu_py_stripe[y])) {
            pthread_mutex_unlock(&fu_py_stripe[x]);
            l->n = 0;
            return 0;
        }
        l->st[l->n++] = y;
    }
    return 1;
}
static void fu_py_fast_unlock(fu_py_fastlock *l) {
    while (l->n > 0) pthread_mutex_unlock(&fu_py_stripe[l->st[--l->n]]);
}

/* The continuation bytes (10xxxxxx) among the 8 bytes of x. */
static size_t fu_py_cont8(uint64_t x) {
    uint64_t c = (x & ~(x << 1) & 0x8080808080808080ull) >> 7; /* 1 in each such byte */
    return (size_t)((c * 0x0101010101010101ull) >> 56);
}

/* Whether s[0..n) is ASCII. */
static int fu_py_ascii(const unsigned char *s, size_t n) {
    uint64_t acc = 0, x;
    size_t k = 0;
    for (; n - k >= 8; k += 8) acc |= (memcpy(&x, s + k, 8), x);
    for (; k < n; k++) acc |= s[k];
    return !(acc & 0x8080808080808080ull);
}

/* The str of the masked UTF-8 `out` (w bytes) of str `in` (UTF-8 s, len
 * bytes), equal to `out` decoded: `in` itself when they are equal; for an
 * ASCII `in`, `out`'s bytes when they are ASCII too; otherwise, when `out`
 * differs from `in` only in runs of ASCII bytes that replace runs of ASCII
 * bytes (masks write ASCII: digits as '*', an e-mail's local part as
 * "***"), the stretches where they are equal copied as `in`'s characters
 * (no decoding, 8 equal bytes at a time; the kind and the largest
 * character stay those of `in`, whose non-ASCII characters are all kept)
 * and the runs of `out` written in between; otherwise decoded from `out`. */
static PyObject *fu_py_fast_result(PyObject *in, const char *s, size_t len, const char *out, size_t w) {
    const unsigned char *a = (const unsigned char *)s, *b = (const unsigned char *)out;
    if (w == len && memcmp(a, b, len) == 0) {
        Py_INCREF(in);
        return in;
    }
    size_t n_in = (size_t)PyUnicode_GET_LENGTH(in);
    if (PyUnicode_IS_ASCII(in) && fu_py_ascii(b, w)) {
        PyObject *r = PyUnicode_New((Py_ssize_t)w, 127);
        if (r) memcpy(PyUnicode_DATA(r), out, w);
        return r;
    }
    if (PyUnicode_IS_ASCII(in) || n_in + w < len) return PyUnicode_DecodeUTF8(out, (Py_ssize_t)w, "surrogateescape");
    size_t n = n_in + w - len; /* out's characters, when it differs from in in ASCII runs only */
    PyObject *r = PyUnicode_New((Py_ssize_t)n, PyUnicode_MAX_CHAR_VALUE(in));
    if (!r) return NULL;
    const size_t kind = (size_t)PyUnicode_KIND(in);
    char *d = (char *)PyUnicode_DATA(r);
    const char *src = (const char *)PyUnicode_DATA(in);
    size_t i = 0, j = 0, ic = 0, oc = 0; /* bytes of in and out read; characters of in read, of r written */
    for (;;) {
        size_t i0 = i, cont = 0;
        uint64_t x, y;
        for (; len - i >= 8 && w - j >= 8; i += 8, j += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + j, 8);
            if (x != y) break;
            cont += fu_py_cont8(x);
        }
        for (; i < len && j < w && a[i] == b[j]; i++, j++) cont += (a[i] & 0xC0) == 0x80;
        size_t c = i - i0 - cont; /* the characters of the equal stretch: whole ones, checked below */
        if (oc + c > n || (i < len && a[i] >= 0x80) || (j < w && b[j] >= 0x80)) break;
        memcpy(d + oc * kind, src + ic * kind, c * kind);
        oc += c;
        ic += c;
        size_t ea = i, eb = j; /* the differing ASCII runs */
        while (ea < len && a[ea] < 0x80) ea++;
        while (eb < w && b[eb] < 0x80) eb++;
        if (oc + (eb - j) > n) break;
        for (; j < eb; j++) PyUnicode_WRITE(kind, d, oc++, b[j]);
        ic += ea - i;
        i = ea;
        if (i == len || j == w) {
            if (i == len && j == w && oc == n) return r;
            break;
        }
    }
    Py_DECREF(r);
    return PyUnicode_DecodeUTF8(out, (Py_ssize_t)w, "surrogateescape");
}

/* Redactor.apply(text), masked into a buffer on the stack (no allocation,
 * fu_redactor_apply_into()). A failed call changes nothing (counts are added
 * only when a text is masked): the wrapper runs it again and raises. A text
 * that comes back unchanged is the same str. */
static int fu_py_fast_redact(PyObject *const *args, Py_ssize_t nargs, PyObject **res) {
    const char *s = NULL;
    size_t len = 0, w = 0;
    char out[2 * FU_PY_FAST_MAX + 64]; /* every built-in mask fits; a longer result goes to the wrapper */
    fu_py_fastlock l;
    if (nargs != 2 || !fu_py_fast_text(args[1], &s, &len)) return 0;
    fu_redactor *r = (fu_redactor *)fu_py_fast_ptr(args[0], SWIGTYPE_p_fu_redactor);
    if (!r || !fu_py_fast_lock(&l, r, NULL)) return 0;
    /* the UTF-8 of a str is well-formed (PyUnicode_AsUTF8AndSize refuses lone surrogates) */
    int n = fu_redactor_apply_into_flags(r, s, len, FU_REDACT_TEXT_VALID_UTF8, out, sizeof out, &w);
    fu_py_fast_unlock(&l);
    if (n < 0) return 0; /* FU_ERANGE (a longer result) included: nothing counted */
    if (n == 0) { /* nothing masked: the text itself */
        Py_INCREF(args[1]);
        *res = args[1];
        return 1;
    }
    *res = fu_py_fast_result(args[1], s, len, out, w);
    return 1;
}

/* Extractor.run(calendar, text, at) with `at` an int. */
static int fu_py_fast_extract(PyObject *const *args, Py_ssize_t nargs, PyObject **res) {
    const char *s = NULL;
    size_t len = 0;
    int ovf = 0;
    fu_py_fastlock l;
    if (nargs != 4 || !PyLong_CheckExact(args[3])) return 0;
    long long at = PyLong_AsLongLongAndOverflow(args[3], &ovf);
    if (ovf || (at == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    if (!fu_py_fast_text(args[2], &s, &len)) return 0;
    fu_extractor *ex = (fu_extractor *)fu_py_fast_ptr(args[0], SWIGTYPE_p_fu_extractor);
    fu_calendar *cal = (fu_calendar *)fu_py_fast_ptr(args[1], SWIGTYPE_p_fu_calendar);
    if (!ex || !cal || !fu_py_fast_lock(&l, ex, cal)) return 0;
    fu_extraction *x = NULL;
    /* the UTF-8 of a str is well-formed (PyUnicode_AsUTF8AndSize refuses lone surrogates) */
    int rc = fu_extractor_run_flags(ex, cal, s, len, (int64_t)at, FU_EXTRACT_VALID_UTF8, &x);
    fu_py_fast_unlock(&l);
    if (rc != FU_OK) return 0; /* nothing kept: the wrapper runs it again and raises */
    *res = fu_py_fast_proxy(x, SWIGTYPE_p_fu_extraction);
    /* the note its offsets index (followup/_extraction.py: str indices), as the wrapper keeps it */
    static PyObject *note_name;
    if (*res && !note_name) note_name = PyUnicode_InternFromString("_note");
    if (*res && (!note_name || PyObject_SetAttr(*res, note_name, args[2]) < 0)) Py_CLEAR(*res);
    return 1;
}

/* The destructor SWIG calls when an Extraction's owning proxy goes
 * (SwigPyObject_dealloc, as `__swig_destroy__` with METH_O): the
 * extraction freed straight away with the GIL held, as the wrapper's
 * %nothread destructor does, without its argument conversion and lock
 * bookkeeping: no call can be using an extraction whose last proxy goes
 * (each call holds its proxy). Installed with Extractor.run's fast path. */
static PyObject *fu_py_fast_free_extraction(PyObject *self, PyObject *v) {
    (void)self;
    SwigPyObject *o = (SwigPyObject *)v;
    if (Py_TYPE(v) == SwigPyObject_type() && o->ty == SWIGTYPE_p_fu_extraction && o->own && o->ptr) {
        fu_extraction_free((fu_extraction *)o->ptr);
        o->ptr = NULL;
        o->own = 0;
    }
    Py_RETURN_NONE;
}
static PyMethodDef fu_py_fast_free_def = {"delete_Extraction", fu_py_fast_free_extraction, METH_O, NULL};

static int fu_py_fast_install_free(void) {
    SwigPyClientData *data = (SwigPyClientData *)SWIGTYPE_p_fu_extraction->clientdata;
    if (!data || !data->destroy || data->delargs || !PyCFunction_Check(data->destroy)) return 0;
    if (PyCFunction_GET_FUNCTION(data->destroy) == fu_py_fast_free_extraction) return 0;
    PyObject *fn = PyCFunction_New(&fu_py_fast_free_def, NULL);
    if (!fn) return -1;
    PyObject *old = data->destroy;
    data->destroy = fn;
    Py_DECREF(old);
    return 0;
}

/* Extraction.promise_count() / risk_count(): an extraction does not change
 * once made and lives while the call holds its proxy: no lock needed. */
static int fu_py_fast_count(PyObject *const *args, Py_ssize_t nargs, PyObject **res, int risks) {
    if (nargs != 1) return 0;
    fu_extraction *x = (fu_extraction *)fu_py_fast_ptr(args[0], SWIGTYPE_p_fu_extraction);
    if (!x) return 0;
    *res = PyLong_FromSize_t(risks ? fu_extraction_risk_count(x) : fu_extraction_promise_count(x));
    return 1;
}
static int fu_py_fast_pcount(PyObject *const *args, Py_ssize_t nargs, PyObject **res) {
    return fu_py_fast_count(args, nargs, res, 0);
}
static int fu_py_fast_rcount(PyObject *const *args, Py_ssize_t nargs, PyObject **res) {
    return fu_py_fast_count(args, nargs, res, 1);
}

static PyObject *fu_py_fast_method(PyObject *self, PyObject *args) {
    static const fu_py_fast_fn fns[] = {fu_py_fast_redact, fu_py_fast_extract, fu_py_fast_pcount, fu_py_fast_rcount};
    PyObject *cls, *name, *fallback, *d = NULL;
    int which;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!Ui:_fast_method", &PyType_Type, &cls, &name, &which)) return NULL;
    if (which < 0 || which >= (int)(sizeof fns / sizeof fns[0]))
        return PyErr_Format(PyExc_ValueError, "_fast_method(): no fast path %d", which);
    if (PyType_Ready(&fu_py_fastm_type) < 0) return NULL;
    if (which == 1 && fu_py_fast_install_free() < 0) return NULL;
    pthread_once(&fu_py_stripe_once, fu_py_stripe_init);
    fallback = PyDict_GetItemWithError(((PyTypeObject *)cls)->tp_dict, name);
    if (!fallback) return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_AttributeError, "_fast_method(): no %U", name);
    if (Py_TYPE(fallback) == &fu_py_fastm_type) Py_RETURN_NONE; /* installed already */
    fu_py_fastm *m = PyObject_GC_New(fu_py_fastm, &fu_py_fastm_type);
    if (!m) return NULL;
    m->vectorcall = fu_py_fastm_call;
    m->fn = fns[which];
    Py_INCREF(fallback);
    m->fallback = fallback;
    m->dict = NULL;
    PyObject_GC_Track((PyObject *)m);
    /* the wrapper's attributes: __signature__, __wrapped__, __doc__, __name__ ... */
    int ok = (d = PyObject_GenericGetDict((PyObject *)m, NULL)) != NULL;
    PyObject *fd = ok ? PyObject_GetAttrString(fallback, "__dict__") : NULL;
    if (fd) ok = PyDict_Update(d, fd) == 0;
    else PyErr_Clear();
    static const char *const copy[] = {"__doc__", "__name__", "__qualname__", "__module__"};
    for (size_t i = 0; ok && i < sizeof copy / sizeof copy[0]; i++) {
        PyObject *v = PyObject_GetAttrString(fallback, copy[i]);
        if (!v) {
            PyErr_Clear();
            continue;
        }
        ok = PyDict_SetItemString(d, copy[i], v) == 0;
        Py_DECREF(v);
    }
    Py_XDECREF(fd);
    Py_XDECREF(d);
    if (ok) ok = PyObject_SetAttr(cls, name, (PyObject *)m) == 0;
    Py_DECREF(m);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}
%}
%native(_fast_method) PyObject *fu_py_fast_method(PyObject *self, PyObject *args);
