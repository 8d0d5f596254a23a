/* Python binding of libfollowup: the SWIG module followup.core, wrapped by the
 * pure-Python package `followup` (bindings/python/followup/). Built with
 * -threads: every wrapped call releases the GIL while C runs. */
%module(package="followup") core

/* Docstrings with argument and return types for every wrapped function. */
%feature("autodoc", "3");

%{
#define SWIG_FILE_WITH_INIT
#include "followup.h"

/* Exception classes, created once when the module is imported. Index = -code. */
#define FU_PY_NEXC 15
static PyObject *fu_py_exc[FU_PY_NEXC];

static PyObject *fu_py_exc_for(int code) {
    int i = -code;
    if (i <= 0 || i >= FU_PY_NEXC || fu_py_exc[i] == NULL) return fu_py_exc[0];
    return fu_py_exc[i];
}

/* Raise the exception for `code` with the detail of fu_error_last(). */
static void fu_py_raise(int code) {
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

%init %{
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
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) (const char *text, size_t len) {
    $1 = PyUnicode_Check($input) || PyBytes_Check($input);
}

%include "../common/followup.i"
