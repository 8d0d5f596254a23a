/* SWIG interface of fu_segment (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 * Columns go in as sequences of numbers (Python: any sequence; a contiguous
 * float64 numpy array is copied in one go) or Lua arrays, and come back as
 * lists / Lua arrays.
 *
 *   BgNbd(r, alpha, a, b), ParetoNbd(r, alpha, s, beta), GammaGamma(p, q, gamma): records
 *   bgnbd_fit(x, t_x, T) -> BgNbd              bgnbd_loglik(m, x, t_x, T) -> float
 *   bgnbd_p_alive(m, x, t_x, T) -> [p]         bgnbd_expected(m, x, t_x, T, horizon) -> [e]
 *   bgnbd_expected_new(m, t) -> float
 *   bgnbd_clv(m, gg_or_None, x, t_x, T, zbar, period, periods=12, discount=0.01, margin=1) -> [clv]
 *   pareto_fit / pareto_loglik / pareto_p_alive / pareto_expected / pareto_expected_new / pareto_clv
 *   gammagamma_fit(x, zbar) -> GammaGamma      gammagamma_loglik(m, x, zbar) -> float
 *   gammagamma_expected(m, x, zbar) -> [value]
 *   summarize(customers, times, values, n_customers, calibration_end, unit_seconds,
 *             day_offset=0, day_seconds=86400) -> Summary with n and x(), t_x(), T(), zbar(),
 *             total(), first_at() (lists)
 *   rfm_codes(recency, frequency, monetary) -> [111..555]
 *   rfm_groups(recency, frequency, monetary) -> ["champions", ...] (built-in group table)
 *   tier_name(i), product_class_name(i), lifecycle_name(i)
 * Failures raise (followup.Error subclasses in Python, error tables in Lua):
 * ConvergenceError for a fit that does not converge, RangeError when the
 * Gamma-Gamma mean does not exist, InvalidArgumentError naming the index.
 */

%{
#include <stdlib.h>

/* A column handed back to the target language. */
typedef struct fu_swig_dvec {
    double *v;
    size_t n;
} fu_swig_dvec;

static int fu_swig_dvec_alloc(fu_swig_dvec *o, size_t n) {
    o->v = (double *)malloc((n ? n : 1) * sizeof(double));
    o->n = n;
    if (!o->v) return fu_swig_nomem();
    return FU_OK;
}

/* Integer results (RFM codes). */
typedef struct fu_swig_ivec {
    long *v;
    size_t n;
} fu_swig_ivec;

static int fu_swig_same_len(size_t a, size_t b, const char *what) {
    if (a != b) return fu_error_set(FU_EINVAL, "%s: columns have different lengths (%zu and %zu)", what, a, b);
    return FU_OK;
}
%}

/* ---- columns in and out ---- */
#ifdef SWIGPYTHON
%{
/* Read a sequence of numbers (or a C-contiguous float64 buffer) into a malloc'd array. */
static int fu_py_seg_doubles(PyObject *obj, double **out, size_t *n) {
    if (PyObject_CheckBuffer(obj)) {
        Py_buffer view;
        if (PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) == 0) {
            if (view.ndim == 1 && view.itemsize == sizeof(double) && view.format && strcmp(view.format, "d") == 0) {
                size_t len = (size_t)view.shape[0];
                double *v = (double *)malloc((len ? len : 1) * sizeof *v);
                if (!v) {
                    PyBuffer_Release(&view);
                    PyErr_NoMemory();
                    return -1;
                }
                memcpy(v, view.buf, len * sizeof *v);
                PyBuffer_Release(&view);
                *out = v;
                *n = len;
                return 0;
            }
            PyBuffer_Release(&view);
        } else {
            PyErr_Clear();
        }
    }
    PyObject *seq = PySequence_Fast(obj, "expected a sequence of numbers");
    if (!seq) return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    double *v = (double *)malloc((size_t)(len ? len : 1) * sizeof *v);
    if (!v) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        double x = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
        if (x == -1.0 && PyErr_Occurred()) {
            free(v);
            Py_DECREF(seq);
            return -1;
        }
        v[i] = x;
    }
    Py_DECREF(seq);
    *out = v;
    *n = (size_t)len;
    return 0;
}

static int fu_py_seg_int64s(PyObject *obj, int64_t **out, size_t *n) {
    PyObject *seq = PySequence_Fast(obj, "expected a sequence of integers");
    if (!seq) return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    int64_t *v = (int64_t *)malloc((size_t)(len ? len : 1) * sizeof *v);
    if (!v) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        long long x = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (x == -1 && PyErr_Occurred()) {
            free(v);
            Py_DECREF(seq);
            return -1;
        }
        v[i] = (int64_t)x;
    }
    Py_DECREF(seq);
    *out = v;
    *n = (size_t)len;
    return 0;
}

static PyObject *fu_py_seg_list(const double *v, size_t n) {
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list) return NULL;
    for (size_t i = 0; i < n; i++) PyList_SET_ITEM(list, (Py_ssize_t)i, PyFloat_FromDouble(v[i]));
    return list;
}
%}
%typemap(in) (const double *COL, size_t NCOL) (double *dv = NULL, size_t cnt = 0) {
    if (fu_py_seg_doubles($input, &dv, &cnt) < 0) SWIG_fail;
    $1 = dv; $2 = cnt;
}
%typemap(freearg) (const double *COL, size_t NCOL) { free(dv$argnum); }
%typemap(typecheck) (const double *COL, size_t NCOL) { $1 = PySequence_Check($input) || PyObject_CheckBuffer($input); }
%typemap(in) (const void *ICOL, size_t NICOL) (int64_t *iv = NULL, size_t cnt = 0) {
    if (fu_py_seg_int64s($input, &iv, &cnt) < 0) SWIG_fail;
    $1 = iv; $2 = cnt;
}
%typemap(freearg) (const void *ICOL, size_t NICOL) { free(iv$argnum); }
%typemap(in, numinputs=0) fu_swig_dvec *OUT (fu_swig_dvec tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_dvec *OUT {
    PyObject *list = fu_py_seg_list($1->v, $1->n);
    if (!list) SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) fu_swig_dvec *OUT { free($1->v); }
%typemap(in, numinputs=0) fu_swig_ivec *IOUT (fu_swig_ivec tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_ivec *IOUT {
    PyObject *list = PyList_New((Py_ssize_t)$1->n);
    if (!list) SWIG_fail;
    for (size_t i = 0; i < $1->n; i++) PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLong($1->v[i]));
    $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) fu_swig_ivec *IOUT { free($1->v); }
#endif

#ifdef SWIGLUA
%{
/* An array of numbers (not numeric texts); a negative fu code with the
 * error set ("argument <idx>: element 2 is nil: expected a number"). */
static int fu_lua_seg_doubles(lua_State *L, int idx, double **out, size_t *n) {
    size_t len;
    int rc = fu_lua_array_open(L, idx, &len);
    if (rc) return rc;
    double *v = (double *)malloc((len ? len : 1) * sizeof *v);
    if (!v) return fu_error_set(FU_ENOMEM, "argument %d: out of memory", idx);
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TNUMBER) {
            rc = fu_lua_elem_bad(L, idx, i, "expected a number");
            lua_pop(L, 1);
            free(v);
            return rc;
        }
        v[i] = (double)lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    *out = v;
    *n = len;
    return 0;
}

static int fu_lua_seg_int64s(lua_State *L, int idx, int64_t **out, size_t *n) {
    size_t len;
    int rc = fu_lua_array_open(L, idx, &len);
    if (rc) return rc;
    int64_t *v = (int64_t *)malloc((len ? len : 1) * sizeof *v);
    if (!v) return fu_error_set(FU_ENOMEM, "argument %d: out of memory", idx);
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (!fu_lua_isinteger(L, -1)) {
            rc = fu_lua_elem_bad(L, idx, i, "expected an integer");
            lua_pop(L, 1);
            free(v);
            return rc;
        }
        v[i] = (int64_t)fu_lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    *out = v;
    *n = len;
    return 0;
}
%}
%typemap(in, checkfn="lua_istable") (const double *COL, size_t NCOL) (double *dv = NULL, size_t cnt = 0) {
    int fu_rc = fu_lua_seg_doubles(L, $input, &dv, &cnt);
    if (fu_rc < 0) { fu_error_prefix("$symname"); fu_lua_push_error(L, fu_rc); SWIG_fail; }
    $1 = dv; $2 = cnt;
}
%typemap(freearg) (const double *COL, size_t NCOL) { free(dv$argnum); }
%typemap(in, checkfn="lua_istable") (const void *ICOL, size_t NICOL) (int64_t *iv = NULL, size_t cnt = 0) {
    int fu_rc = fu_lua_seg_int64s(L, $input, &iv, &cnt);
    if (fu_rc < 0) { fu_error_prefix("$symname"); fu_lua_push_error(L, fu_rc); SWIG_fail; }
    $1 = iv; $2 = cnt;
}
%typemap(freearg) (const void *ICOL, size_t NICOL) { free(iv$argnum); }
%typemap(in, numinputs=0) fu_swig_dvec *OUT (fu_swig_dvec tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_dvec *OUT {
    lua_createtable(L, (int)$1->n, 0);
    for (size_t i = 0; i < $1->n; i++) {
        lua_pushnumber(L, $1->v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    SWIG_arg++;
}
%typemap(freearg) fu_swig_dvec *OUT { free($1->v); }
%typemap(in, numinputs=0) fu_swig_ivec *IOUT (fu_swig_ivec tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_ivec *IOUT {
    lua_createtable(L, (int)$1->n, 0);
    for (size_t i = 0; i < $1->n; i++) {
        lua_pushinteger(L, (lua_Integer)$1->v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    SWIG_arg++;
}
%typemap(freearg) fu_swig_ivec *IOUT { free($1->v); }
#endif

%apply (const double *COL, size_t NCOL) {
    (const double *x, size_t nx), (const double *t_x, size_t ntx), (const double *T, size_t nT),
    (const double *zbar, size_t nz), (const double *values, size_t nv), (const double *recency, size_t nr),
    (const double *frequency, size_t nf), (const double *monetary, size_t nm)
};
%apply (const void *ICOL, size_t NICOL) {
    (const void *customers, size_t nc), (const void *times, size_t nt)
};

/* ------------------------------------------------------------ records */
%rename(BgNbd) fu_segment_bgnbd;
typedef struct fu_segment_bgnbd {
    double r, alpha, a, b;
} fu_segment_bgnbd;
%extend fu_segment_bgnbd {
    fu_segment_bgnbd(double r, double alpha, double a, double b) {
        fu_segment_bgnbd *m = (fu_segment_bgnbd *)malloc(sizeof *m);
        if (m) { m->r = r; m->alpha = alpha; m->a = a; m->b = b; }
        return m;
    }
    ~fu_segment_bgnbd() { free($self); }
}
%rename(ParetoNbd) fu_segment_pareto;
typedef struct fu_segment_pareto {
    double r, alpha, s, beta;
} fu_segment_pareto;
%extend fu_segment_pareto {
    fu_segment_pareto(double r, double alpha, double s, double beta) {
        fu_segment_pareto *m = (fu_segment_pareto *)malloc(sizeof *m);
        if (m) { m->r = r; m->alpha = alpha; m->s = s; m->beta = beta; }
        return m;
    }
    ~fu_segment_pareto() { free($self); }
}
%rename(GammaGamma) fu_segment_gammagamma;
typedef struct fu_segment_gammagamma {
    double p, q, gamma;
} fu_segment_gammagamma;
%extend fu_segment_gammagamma {
    fu_segment_gammagamma(double p, double q, double gamma) {
        fu_segment_gammagamma *m = (fu_segment_gammagamma *)malloc(sizeof *m);
        if (m) { m->p = p; m->q = q; m->gamma = gamma; }
        return m;
    }
    ~fu_segment_gammagamma() { free($self); }
}

/* ------------------------------------------------------------ fits */
%{
#define FU_SWIG_FIT(name, type, call)                                                              \
    static type *name(const double *x, size_t nx, const double *t_x, size_t ntx, const double *T, \
                      size_t nT) {                                                                 \
        type m, *p;                                                                                \
        if (fu_swig_same_len(nx, ntx, "fit") || fu_swig_same_len(nx, nT, "fit")) return NULL;     \
        if (call(x, t_x, T, nx, NULL, NULL, &m)) return NULL;                                      \
        p = (type *)malloc(sizeof *p);                                                             \
        if (!p) { fu_swig_nomem(); return NULL; }                                                \
        *p = m;                                                                                    \
        return p;                                                                                  \
    }
FU_SWIG_FIT(fu_swig_bgnbd_fit, fu_segment_bgnbd, fu_segment_bgnbd_fit)
FU_SWIG_FIT(fu_swig_pareto_fit, fu_segment_pareto, fu_segment_pareto_fit)

static fu_segment_gammagamma *fu_swig_gammagamma_fit(const double *x, size_t nx, const double *zbar, size_t nz) {
    fu_segment_gammagamma m, *p;
    if (fu_swig_same_len(nx, nz, "fit")) return NULL;
    if (fu_segment_gammagamma_fit(x, zbar, nx, NULL, NULL, &m)) return NULL;
    p = (fu_segment_gammagamma *)malloc(sizeof *p);
    if (!p) { fu_swig_nomem(); return NULL; }
    *p = m;
    return p;
}

static int fu_swig_bgnbd_loglik(const fu_segment_bgnbd *m, const double *x, size_t nx, const double *t_x,
                                size_t ntx, const double *T, size_t nT, double *out) {
    int rc = fu_swig_same_len(nx, ntx, "loglik");
    if (!rc) rc = fu_swig_same_len(nx, nT, "loglik");
    return rc ? rc : fu_segment_bgnbd_loglik(m, x, t_x, T, nx, out);
}
static int fu_swig_pareto_loglik(const fu_segment_pareto *m, const double *x, size_t nx, const double *t_x,
                                 size_t ntx, const double *T, size_t nT, double *out) {
    int rc = fu_swig_same_len(nx, ntx, "loglik");
    if (!rc) rc = fu_swig_same_len(nx, nT, "loglik");
    return rc ? rc : fu_segment_pareto_loglik(m, x, t_x, T, nx, out);
}
static int fu_swig_gammagamma_loglik(const fu_segment_gammagamma *m, const double *x, size_t nx,
                                     const double *zbar, size_t nz, double *out) {
    int rc = fu_swig_same_len(nx, nz, "loglik");
    return rc ? rc : fu_segment_gammagamma_loglik(m, x, zbar, nx, out);
}
%}
%newobject fu_swig_bgnbd_fit;
%newobject fu_swig_pareto_fit;
%newobject fu_swig_gammagamma_fit;
FU_RAISES(fu_swig_bgnbd_fit)
FU_RAISES(fu_swig_pareto_fit)
FU_RAISES(fu_swig_gammagamma_fit)
FU_FALLIBLE(fu_swig_bgnbd_loglik)
FU_FALLIBLE(fu_swig_pareto_loglik)
FU_FALLIBLE(fu_swig_gammagamma_loglik)
%rename(bgnbd_fit) fu_swig_bgnbd_fit;
%rename(pareto_fit) fu_swig_pareto_fit;
%rename(gammagamma_fit) fu_swig_gammagamma_fit;
%rename(bgnbd_loglik) fu_swig_bgnbd_loglik;
%rename(pareto_loglik) fu_swig_pareto_loglik;
%rename(gammagamma_loglik) fu_swig_gammagamma_loglik;
fu_segment_bgnbd *fu_swig_bgnbd_fit(const double *x, size_t nx, const double *t_x, size_t ntx, const double *T,
                                    size_t nT);
fu_segment_pareto *fu_swig_pareto_fit(const double *x, size_t nx, const double *t_x, size_t ntx, const double *T,
                                      size_t nT);
fu_segment_gammagamma *fu_swig_gammagamma_fit(const double *x, size_t nx, const double *zbar, size_t nz);
int fu_swig_bgnbd_loglik(const fu_segment_bgnbd *m, const double *x, size_t nx, const double *t_x, size_t ntx,
                         const double *T, size_t nT, double *out);
int fu_swig_pareto_loglik(const fu_segment_pareto *m, const double *x, size_t nx, const double *t_x, size_t ntx,
                          const double *T, size_t nT, double *out);
int fu_swig_gammagamma_loglik(const fu_segment_gammagamma *m, const double *x, size_t nx, const double *zbar,
                              size_t nz, double *out);

/* ------------------------------------------------------------ scoring */
%{
#define FU_SWIG_SCORE(prefix, type, scorefn)                                                            \
    static int fu_swig_##prefix##_p_alive(const type *m, const double *x, size_t nx, const double *t_x,  \
                                          size_t ntx, const double *T, size_t nT, fu_swig_dvec *OUT) {   \
        int rc = fu_swig_same_len(nx, ntx, "p_alive");                                                  \
        if (!rc) rc = fu_swig_same_len(nx, nT, "p_alive");                                              \
        if (!rc) rc = fu_swig_dvec_alloc(OUT, nx);                                                      \
        return rc ? rc : scorefn(m, NULL, x, t_x, T, NULL, nx, NULL, OUT->v, NULL, NULL);              \
    }                                                                                                   \
    static int fu_swig_##prefix##_expected(const type *m, const double *x, size_t nx, const double *t_x, \
                                           size_t ntx, const double *T, size_t nT, double horizon,      \
                                           fu_swig_dvec *OUT) {                                         \
        fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;                                     \
        int rc = fu_swig_same_len(nx, ntx, "expected");                                                 \
        if (!rc) rc = fu_swig_same_len(nx, nT, "expected");                                             \
        if (!rc) rc = fu_swig_dvec_alloc(OUT, nx);                                                      \
        o.horizon = horizon;                                                                            \
        return rc ? rc : scorefn(m, NULL, x, t_x, T, NULL, nx, &o, NULL, OUT->v, NULL);                \
    }                                                                                                   \
    static int fu_swig_##prefix##_clv(const type *m, const fu_segment_gammagamma *gg, const double *x,   \
                                      size_t nx, const double *t_x, size_t ntx, const double *T,        \
                                      size_t nT, const double *zbar, size_t nz, double period,          \
                                      unsigned int periods, double discount, double margin,             \
                                      fu_swig_dvec *OUT) {                                              \
        fu_segment_score_options o = FU_SEGMENT_SCORE_OPTIONS_INIT;                                     \
        int rc = fu_swig_same_len(nx, ntx, "clv");                                                      \
        if (!rc) rc = fu_swig_same_len(nx, nT, "clv");                                                  \
        if (!rc) rc = fu_swig_same_len(nx, nz, "clv");                                                  \
        if (!rc) rc = fu_swig_dvec_alloc(OUT, nx);                                                      \
        o.period = period;                                                                              \
        o.periods = periods;                                                                            \
        o.discount = discount;                                                                          \
        o.margin = margin;                                                                              \
        return rc ? rc : scorefn(m, gg, x, t_x, T, zbar, nx, &o, NULL, NULL, OUT->v);                  \
    }
FU_SWIG_SCORE(bgnbd, fu_segment_bgnbd, fu_segment_bgnbd_score)
FU_SWIG_SCORE(pareto, fu_segment_pareto, fu_segment_pareto_score)

static int fu_swig_gammagamma_expected(const fu_segment_gammagamma *m, const double *x, size_t nx,
                                       const double *zbar, size_t nz, fu_swig_dvec *OUT) {
    int rc = fu_swig_same_len(nx, nz, "gammagamma_expected");
    if (!rc) rc = fu_swig_dvec_alloc(OUT, nx);
    for (size_t i = 0; !rc && i < nx; i++) {
        rc = fu_segment_gammagamma_expected(m, x[i], zbar[i], &OUT->v[i]);
        if (rc) fu_error_prefix("customer %zu", i);
    }
    return rc;
}
%}
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_bgnbd_clv;
%feature("kwargs") fu_swig_pareto_clv;
%feature("kwargs") fu_swig_summarize;
#endif
FU_FALLIBLE(fu_swig_bgnbd_p_alive)
FU_FALLIBLE(fu_swig_bgnbd_expected)
FU_FALLIBLE(fu_swig_bgnbd_clv)
FU_FALLIBLE(fu_swig_pareto_p_alive)
FU_FALLIBLE(fu_swig_pareto_expected)
FU_FALLIBLE(fu_swig_pareto_clv)
FU_FALLIBLE(fu_swig_gammagamma_expected)
FU_FALLIBLE(fu_segment_bgnbd_expected_new)
FU_FALLIBLE(fu_segment_pareto_expected_new)
%rename(bgnbd_p_alive) fu_swig_bgnbd_p_alive;
%rename(bgnbd_expected) fu_swig_bgnbd_expected;
%rename(bgnbd_clv) fu_swig_bgnbd_clv;
%rename(pareto_p_alive) fu_swig_pareto_p_alive;
%rename(pareto_expected) fu_swig_pareto_expected;
%rename(pareto_clv) fu_swig_pareto_clv;
%rename(gammagamma_expected) fu_swig_gammagamma_expected;
%rename(bgnbd_expected_new) fu_segment_bgnbd_expected_new;
%rename(pareto_expected_new) fu_segment_pareto_expected_new;
int fu_swig_bgnbd_p_alive(const fu_segment_bgnbd *m, const double *x, size_t nx, const double *t_x, size_t ntx,
                          const double *T, size_t nT, fu_swig_dvec *OUT);
int fu_swig_bgnbd_expected(const fu_segment_bgnbd *m, const double *x, size_t nx, const double *t_x, size_t ntx,
                           const double *T, size_t nT, double horizon, fu_swig_dvec *OUT);
int fu_swig_bgnbd_clv(const fu_segment_bgnbd *m, const fu_segment_gammagamma *gg, const double *x, size_t nx,
                      const double *t_x, size_t ntx, const double *T, size_t nT, const double *zbar, size_t nz,
                      double period, unsigned int periods = 12, double discount = 0.01, double margin = 1.0,
                      fu_swig_dvec *OUT);
int fu_swig_pareto_p_alive(const fu_segment_pareto *m, const double *x, size_t nx, const double *t_x, size_t ntx,
                           const double *T, size_t nT, fu_swig_dvec *OUT);
int fu_swig_pareto_expected(const fu_segment_pareto *m, const double *x, size_t nx, const double *t_x,
                            size_t ntx, const double *T, size_t nT, double horizon, fu_swig_dvec *OUT);
int fu_swig_pareto_clv(const fu_segment_pareto *m, const fu_segment_gammagamma *gg, const double *x, size_t nx,
                       const double *t_x, size_t ntx, const double *T, size_t nT, const double *zbar, size_t nz,
                       double period, unsigned int periods = 12, double discount = 0.01, double margin = 1.0,
                       fu_swig_dvec *OUT);
int fu_swig_gammagamma_expected(const fu_segment_gammagamma *m, const double *x, size_t nx, const double *zbar,
                                size_t nz, fu_swig_dvec *OUT);
int fu_segment_bgnbd_expected_new(const fu_segment_bgnbd *m, double t, double *out);
int fu_segment_pareto_expected_new(const fu_segment_pareto *m, double t, double *out);

/* ------------------------------------------------------------ summaries */
%rename(Summary) fu_segment_summary;
typedef struct fu_segment_summary {
    %immutable;
    size_t n;
    %mutable;
} fu_segment_summary;
%{
static void fu_swig_summary_col(const double *col, size_t n, fu_swig_dvec *OUT) {
    if (fu_swig_dvec_alloc(OUT, n) == FU_OK && n) memcpy(OUT->v, col, n * sizeof(double));
}
static void fu_segment_summary_m_x(fu_segment_summary *s, fu_swig_dvec *OUT) { fu_swig_summary_col(s->x, s->n, OUT); }
static void fu_segment_summary_m_t_x(fu_segment_summary *s, fu_swig_dvec *OUT) { fu_swig_summary_col(s->t_x, s->n, OUT); }
static void fu_segment_summary_m_T(fu_segment_summary *s, fu_swig_dvec *OUT) { fu_swig_summary_col(s->T, s->n, OUT); }
static void fu_segment_summary_m_zbar(fu_segment_summary *s, fu_swig_dvec *OUT) { fu_swig_summary_col(s->zbar, s->n, OUT); }
static void fu_segment_summary_m_total(fu_segment_summary *s, fu_swig_dvec *OUT) { fu_swig_summary_col(s->total, s->n, OUT); }
/* first purchase times as doubles (exact below 2^53 s); no purchase: NaN */
static void fu_segment_summary_m_first_at(fu_segment_summary *s, fu_swig_dvec *OUT) {
    if (fu_swig_dvec_alloc(OUT, s->n) != FU_OK) return;
    for (size_t i = 0; i < s->n; i++)
        OUT->v[i] = s->first_at[i] == FU_SEGMENT_NO_PURCHASE ? NAN : (double)s->first_at[i];
}

/* customers and times arrive as int64_t arrays (typed void: SWIG's int64_t is long long) */
static fu_segment_summary *fu_swig_summarize(const void *customers_v, size_t nc, const void *times_v, size_t nt,
                                             const double *values, size_t nv, size_t n_customers,
                                             int64_t calibration_end, double unit_seconds, int64_t day_offset,
                                             int64_t day_seconds) {
    const int64_t *customers = (const int64_t *)customers_v, *times = (const int64_t *)times_v;
    fu_segment_summary *s = NULL;
    fu_segment_summary_options o = FU_SEGMENT_SUMMARY_OPTIONS_INIT;
    size_t *idx;
    if (fu_swig_same_len(nc, nt, "summarize") || fu_swig_same_len(nc, nv, "summarize")) return NULL;
    idx = (size_t *)malloc((nc ? nc : 1) * sizeof *idx);
    if (!idx) { fu_swig_nomem(); return NULL; }
    for (size_t i = 0; i < nc; i++) {
        if (customers[i] < 0) {
            free(idx);
            fu_error_set(FU_EINVAL, "event %zu: customer index %lld is negative", i, (long long)customers[i]);
            return NULL;
        }
        idx[i] = (size_t)customers[i];
    }
    o.day_offset = day_offset;
    o.day_seconds = day_seconds;
    fu_segment_summarize(idx, times, values, nc, n_customers, calibration_end, unit_seconds, &o, &s);
    free(idx);
    return s;
}
%}
%extend fu_segment_summary {
    ~fu_segment_summary() { fu_segment_summary_free($self); }
}
/* SWIG names the helper of an %extend method <struct>_<method>: methods are
 * written m_<name> (defined above) and renamed to <name>. */
%rename(x) fu_segment_summary::m_x;
%rename(t_x) fu_segment_summary::m_t_x;
%rename(T) fu_segment_summary::m_T;
%rename(zbar) fu_segment_summary::m_zbar;
%rename(total) fu_segment_summary::m_total;
%rename(first_at) fu_segment_summary::m_first_at;
FU_RAISES(fu_segment_summary::m_x)
FU_RAISES(fu_segment_summary::m_t_x)
FU_RAISES(fu_segment_summary::m_T)
FU_RAISES(fu_segment_summary::m_zbar)
FU_RAISES(fu_segment_summary::m_total)
FU_RAISES(fu_segment_summary::m_first_at)
%extend fu_segment_summary {
    void m_x(fu_swig_dvec *OUT);
    void m_t_x(fu_swig_dvec *OUT);
    void m_T(fu_swig_dvec *OUT);
    void m_zbar(fu_swig_dvec *OUT);
    void m_total(fu_swig_dvec *OUT);
    void m_first_at(fu_swig_dvec *OUT);
}
%newobject fu_swig_summarize;
FU_RAISES(fu_swig_summarize)
%rename(summarize) fu_swig_summarize;
fu_segment_summary *fu_swig_summarize(const void *customers, size_t nc, const void *times, size_t nt,
                                      const double *values, size_t nv, size_t n_customers, int64_t calibration_end,
                                      double unit_seconds, int64_t day_offset = 0, int64_t day_seconds = 86400);

/* ------------------------------------------------------------ RFM and names */
%{
static int fu_swig_rfm(const double *recency, size_t nr, const double *frequency, size_t nf,
                       const double *monetary, size_t nm, fu_segment_rfm **res) {
    int rc = fu_swig_same_len(nr, nf, "rfm");
    if (!rc) rc = fu_swig_same_len(nr, nm, "rfm");
    if (rc) return rc;
    *res = (fu_segment_rfm *)malloc((nr ? nr : 1) * sizeof **res);
    if (!*res) return fu_swig_nomem();
    rc = fu_segment_rfm_score(recency, frequency, monetary, nr, NULL, *res);
    if (rc) { free(*res); *res = NULL; }
    return rc;
}
static int fu_swig_rfm_codes(const double *recency, size_t nr, const double *frequency, size_t nf,
                             const double *monetary, size_t nm, fu_swig_ivec *IOUT) {
    fu_segment_rfm *res = NULL;
    int rc = fu_swig_rfm(recency, nr, frequency, nf, monetary, nm, &res);
    if (!rc) {
        IOUT->v = (long *)malloc((nr ? nr : 1) * sizeof(long));
        IOUT->n = nr;
        if (!IOUT->v) rc = fu_swig_nomem();
    }
    for (size_t i = 0; !rc && i < nr; i++) IOUT->v[i] = res[i].code;
    free(res);
    return rc;
}
%}
FU_FALLIBLE(fu_swig_rfm_codes)
%rename(rfm_codes) fu_swig_rfm_codes;
int fu_swig_rfm_codes(const double *recency, size_t nr, const double *frequency, size_t nf,
                      const double *monetary, size_t nm, fu_swig_ivec *IOUT);

#ifdef SWIGPYTHON
%{
static PyObject *fu_swig_rfm_groups(PyObject *r, PyObject *f, PyObject *m) {
    double *rv = NULL, *fv = NULL, *mv = NULL;
    size_t nr = 0, nf = 0, nm = 0;
    fu_segment_rfm *res = NULL;
    PyObject *list = NULL;
    int rc;
    if (fu_py_seg_doubles(r, &rv, &nr) < 0 || fu_py_seg_doubles(f, &fv, &nf) < 0 || fu_py_seg_doubles(m, &mv, &nm) < 0)
        goto done;
    rc = fu_swig_rfm(rv, nr, fv, nf, mv, nm, &res);
    if (rc) { fu_py_raise(rc); goto done; }
    list = PyList_New((Py_ssize_t)nr);
    for (size_t i = 0; list && i < nr; i++) PyList_SET_ITEM(list, (Py_ssize_t)i, PyUnicode_FromString(res[i].group));
done:
    free(rv); free(fv); free(mv); free(res);
    return list;
}
%}
%nothread fu_swig_rfm_groups; /* works on Python objects: keeps the GIL */
%rename(rfm_groups) fu_swig_rfm_groups;
PyObject *fu_swig_rfm_groups(PyObject *r, PyObject *f, PyObject *m);
#endif
#ifdef SWIGLUA
%{
static int fu_swig_rfm_groups(lua_State *L) {
    double *rv = NULL, *fv = NULL, *mv = NULL;
    size_t nr = 0, nf = 0, nm = 0;
    fu_segment_rfm *res = NULL;
    int rc;
    if (fu_lua_seg_doubles(L, 1, &rv, &nr) < 0 || fu_lua_seg_doubles(L, 2, &fv, &nf) < 0 ||
        fu_lua_seg_doubles(L, 3, &mv, &nm) < 0) {
        free(rv); free(fv); free(mv);
        return luaL_error(L, "rfm_groups: expected three arrays of numbers");
    }
    rc = fu_swig_rfm(rv, nr, fv, nf, mv, nm, &res);
    free(rv); free(fv); free(mv);
    if (rc) {
        fu_lua_push_error(L, rc);
        return lua_error(L);
    }
    lua_createtable(L, (int)nr, 0);
    for (size_t i = 0; i < nr; i++) {
        lua_pushstring(L, res[i].group);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    free(res);
    return 1;
}
%}
%native(rfm_groups) int fu_swig_rfm_groups(lua_State *L);
#endif

%rename(tier_name) fu_segment_tier_name;
%rename(product_class_name) fu_segment_product_class_name;
%rename(lifecycle_name) fu_segment_lifecycle_name;
const char *fu_segment_tier_name(int tier);
const char *fu_segment_product_class_name(int c);
const char *fu_segment_lifecycle_name(int stage);
%constant int TIER_ORDINARY = FU_TIER_ORDINARY;
%constant int TIER_KEY = FU_TIER_KEY;
%constant int TIER_VIP = FU_TIER_VIP;
%constant int LIFECYCLE_NEW = FU_LIFECYCLE_NEW;
%constant int LIFECYCLE_GROWING = FU_LIFECYCLE_GROWING;
%constant int LIFECYCLE_MATURE = FU_LIFECYCLE_MATURE;
%constant int LIFECYCLE_DECLINING = FU_LIFECYCLE_DECLINING;
%constant int LIFECYCLE_CHURNED = FU_LIFECYCLE_CHURNED;

/* ------------------------------------------------------------ rules, books, assignment
 *
 *   segment_rules_from_policy(policy) -> SegmentRules    (keeps the policy alive)
 *     fields: flags, rfm_bins, rfm_window, complaint_within, human_from_quantile,
 *             clv_horizon, clv_annual_discount, n_tiers, n_classes, n_composite
 *   segment_book(book, now, rules=None, unit_seconds=604800, local_days=True, day_offset=0)
 *     -> BookSummary with n and x(), t_x(), T(), zbar(), total(), recency(), frequency(),
 *        monetary() (lists; NaN without a purchase), rfm_codes() (0 without a purchase),
 *        rfm_groups() (None / false without a purchase)
 *   segment_assign_book(book_summary, now, p_alive, clv, rules=None) -> Assignments
 *   segment_assign(now, annual_spend, unit_price, first_purchase_at, last_purchase_at,
 *                  recent_complaints, p_alive, clv, rules=None) -> Assignments
 *     columns of numbers; times in UTC seconds, NaN for none; an empty p_alive or clv
 *     ([] / {}) means unknown for everybody
 *   Assignments: n, tiers(), tier_rules(), product_classes(), product_rules(),
 *     lifecycles(), lifecycle_rules(), segments(), segment_rules(), handling_rules(),
 *     churn_rules(), deep_care_rules() (lists of str; None / false when absent),
 *     human(), churn_risk(), deep_care() (lists of 0/1)
 */
%{
/* A column of borrowed strings handed back to the target language. */
typedef struct fu_swig_svec {
    const char **v;
    size_t n;
} fu_swig_svec;

static int fu_swig_svec_alloc(fu_swig_svec *o, size_t n) {
    o->v = (const char **)malloc((n ? n : 1) * sizeof *o->v);
    o->n = n;
    if (!o->v) return fu_swig_nomem();
    return FU_OK;
}

static int fu_swig_ivec_alloc(fu_swig_ivec *o, size_t n) {
    o->v = (long *)malloc((n ? n : 1) * sizeof *o->v);
    o->n = n;
    if (!o->v) return fu_swig_nomem();
    return FU_OK;
}

typedef struct fu_swig_assignments {
    size_t n;
    fu_segment_assignment *a;
} fu_swig_assignments;

static void fu_swig_assignments_free(fu_swig_assignments *s) {
    if (s) {
        free(s->a);
        free(s);
    }
}

static fu_swig_assignments *fu_swig_assign(const fu_segment_customer *c, size_t n, int64_t now,
                                           const fu_segment_rules *rules) {
    fu_swig_assignments *s = (fu_swig_assignments *)calloc(1, sizeof *s);
    if (!s || !(s->a = (fu_segment_assignment *)malloc((n ? n : 1) * sizeof *s->a))) {
        free(s);
        fu_swig_nomem();
        return NULL;
    }
    s->n = n;
    if (fu_segment_assign(c, n, now, rules, s->a)) {
        fu_swig_assignments_free(s);
        return NULL;
    }
    return s;
}
%}

#ifdef SWIGPYTHON
%typemap(in, numinputs=0) fu_swig_svec *SOUT (fu_swig_svec tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_svec *SOUT {
    PyObject *list = PyList_New((Py_ssize_t)$1->n);
    if (!list) SWIG_fail;
    for (size_t i = 0; i < $1->n; i++) {
        PyObject *v;
        if ($1->v[i]) v = PyUnicode_FromString($1->v[i]);
        else { Py_INCREF(Py_None); v = Py_None; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) fu_swig_svec *SOUT { free((void *)$1->v); }
#endif
#ifdef SWIGLUA
%typemap(in, numinputs=0) fu_swig_svec *SOUT (fu_swig_svec tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_svec *SOUT {
    lua_createtable(L, (int)$1->n, 0);
    for (size_t i = 0; i < $1->n; i++) {
        if ($1->v[i]) lua_pushstring(L, $1->v[i]);
        else lua_pushboolean(L, 0);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    SWIG_arg++;
}
%typemap(freearg) fu_swig_svec *SOUT { free((void *)$1->v); }
#endif

%apply (const double *COL, size_t NCOL) {
    (const double *annual_spend, size_t n1), (const double *unit_price, size_t n2),
    (const double *first_purchase_at, size_t n3), (const double *last_purchase_at, size_t n4),
    (const double *recent_complaints, size_t n5), (const double *p_alive, size_t n6),
    (const double *clv, size_t n7)
};

/* ---- SegmentRules ---- */
%rename(SegmentRules) fu_segment_rules;
typedef struct fu_segment_rules {
    %immutable;
    unsigned int flags;
    unsigned int rfm_bins;
    int64_t rfm_window;
    int64_t complaint_within;
    double human_from_quantile;
    int64_t clv_horizon;
    double clv_annual_discount;
    size_t n_tiers;
    size_t n_classes;
    size_t n_composite;
    %mutable;
} fu_segment_rules;
%extend fu_segment_rules {
    ~fu_segment_rules() { fu_segment_rules_free($self); }
}
%{
static fu_segment_rules *fu_swig_segment_rules_from_policy(const fu_policy *policy) {
    fu_segment_rules *r = NULL;
    fu_segment_rules_new_from_policy(&r, policy);
    return r;
}
%}
%newobject fu_swig_segment_rules_from_policy;
FU_RAISES(fu_swig_segment_rules_from_policy)
%rename(segment_rules_from_policy) fu_swig_segment_rules_from_policy;
%constant int SEGMENT_RULES_POLICY = FU_SEGMENT_RULES_POLICY;

/* ---- BookSummary ---- */
%rename(BookSummary) fu_segment_book_summary;
typedef struct fu_segment_book_summary {
    %immutable;
    size_t n;
    %mutable;
} fu_segment_book_summary;
%{
static void fu_swig_bs_col(const double *col, size_t n, fu_swig_dvec *OUT) {
    if (fu_swig_dvec_alloc(OUT, n) == FU_OK && n) memcpy(OUT->v, col, n * sizeof(double));
}
static void fu_segment_book_summary_m_x(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->summary->x, s->n, OUT); }
static void fu_segment_book_summary_m_t_x(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->summary->t_x, s->n, OUT); }
static void fu_segment_book_summary_m_T(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->summary->T, s->n, OUT); }
static void fu_segment_book_summary_m_zbar(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->summary->zbar, s->n, OUT); }
static void fu_segment_book_summary_m_total(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->summary->total, s->n, OUT); }
static void fu_segment_book_summary_m_recency(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->recency, s->n, OUT); }
static void fu_segment_book_summary_m_frequency(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->frequency, s->n, OUT); }
static void fu_segment_book_summary_m_monetary(fu_segment_book_summary *s, fu_swig_dvec *OUT) { fu_swig_bs_col(s->monetary, s->n, OUT); }
static void fu_segment_book_summary_m_rfm_codes(fu_segment_book_summary *s, fu_swig_ivec *IOUT) {
    if (fu_swig_ivec_alloc(IOUT, s->n) != FU_OK) return;
    for (size_t i = 0; i < s->n; i++) IOUT->v[i] = s->rfm[i].code;
}
static void fu_segment_book_summary_m_rfm_groups(fu_segment_book_summary *s, fu_swig_svec *SOUT) {
    if (fu_swig_svec_alloc(SOUT, s->n) != FU_OK) return;
    for (size_t i = 0; i < s->n; i++) SOUT->v[i] = s->rfm[i].group;
}

static fu_segment_book_summary *fu_swig_segment_book(const fu_book *book, int64_t now,
                                                     const fu_segment_rules *rules, double unit_seconds,
                                                     bool local_days, int64_t day_offset) {
    fu_segment_book_options o = FU_SEGMENT_BOOK_OPTIONS_INIT;
    fu_segment_book_summary *s = NULL;
    o.unit_seconds = unit_seconds;
    o.local_days = local_days ? 1 : 0;
    o.day_offset = day_offset;
    fu_segment_book_summarize(book, now, rules, &o, &s);
    return s;
}
%}
%extend fu_segment_book_summary {
    ~fu_segment_book_summary() { fu_segment_book_summary_free($self); }
}
%rename(x) fu_segment_book_summary::m_x;
%rename(t_x) fu_segment_book_summary::m_t_x;
%rename(T) fu_segment_book_summary::m_T;
%rename(zbar) fu_segment_book_summary::m_zbar;
%rename(total) fu_segment_book_summary::m_total;
%rename(recency) fu_segment_book_summary::m_recency;
%rename(frequency) fu_segment_book_summary::m_frequency;
%rename(monetary) fu_segment_book_summary::m_monetary;
%rename(rfm_codes) fu_segment_book_summary::m_rfm_codes;
%rename(rfm_groups) fu_segment_book_summary::m_rfm_groups;
FU_RAISES(fu_segment_book_summary::m_x)
FU_RAISES(fu_segment_book_summary::m_t_x)
FU_RAISES(fu_segment_book_summary::m_T)
FU_RAISES(fu_segment_book_summary::m_zbar)
FU_RAISES(fu_segment_book_summary::m_total)
FU_RAISES(fu_segment_book_summary::m_recency)
FU_RAISES(fu_segment_book_summary::m_frequency)
FU_RAISES(fu_segment_book_summary::m_monetary)
FU_RAISES(fu_segment_book_summary::m_rfm_codes)
FU_RAISES(fu_segment_book_summary::m_rfm_groups)
%extend fu_segment_book_summary {
    void m_x(fu_swig_dvec *OUT);
    void m_t_x(fu_swig_dvec *OUT);
    void m_T(fu_swig_dvec *OUT);
    void m_zbar(fu_swig_dvec *OUT);
    void m_total(fu_swig_dvec *OUT);
    void m_recency(fu_swig_dvec *OUT);
    void m_frequency(fu_swig_dvec *OUT);
    void m_monetary(fu_swig_dvec *OUT);
    void m_rfm_codes(fu_swig_ivec *IOUT);
    void m_rfm_groups(fu_swig_svec *SOUT);
}
%newobject fu_swig_segment_book;
FU_RAISES(fu_swig_segment_book)
%rename(segment_book) fu_swig_segment_book;

/* ---- Assignments ---- */
%rename(Assignments) fu_swig_assignments;
typedef struct fu_swig_assignments {
    %immutable;
    size_t n;
    %mutable;
} fu_swig_assignments;
%{
#define FU_SWIG_ASSIGN_STR(field)                                                                  \
    static void fu_swig_assignments_m_##field(fu_swig_assignments *s, fu_swig_svec *SOUT) {        \
        if (fu_swig_svec_alloc(SOUT, s->n) != FU_OK) return;                                       \
        for (size_t i = 0; i < s->n; i++) SOUT->v[i] = s->a[i].field;                              \
    }
#define FU_SWIG_ASSIGN_INT(field)                                                                  \
    static void fu_swig_assignments_m_##field(fu_swig_assignments *s, fu_swig_ivec *IOUT) {        \
        if (fu_swig_ivec_alloc(IOUT, s->n) != FU_OK) return;                                       \
        for (size_t i = 0; i < s->n; i++) IOUT->v[i] = (long)s->a[i].field;                        \
    }
FU_SWIG_ASSIGN_STR(tier_name)
FU_SWIG_ASSIGN_STR(tier_rule)
FU_SWIG_ASSIGN_STR(product_class_name)
FU_SWIG_ASSIGN_STR(product_rule)
FU_SWIG_ASSIGN_STR(lifecycle_rule)
FU_SWIG_ASSIGN_STR(segment)
FU_SWIG_ASSIGN_STR(segment_rule)
FU_SWIG_ASSIGN_STR(handling_rule)
FU_SWIG_ASSIGN_STR(churn_rule)
FU_SWIG_ASSIGN_STR(deep_care_rule)
FU_SWIG_ASSIGN_INT(human)
FU_SWIG_ASSIGN_INT(churn_risk)
FU_SWIG_ASSIGN_INT(deep_care)
static void fu_swig_assignments_m_lifecycle(fu_swig_assignments *s, fu_swig_svec *SOUT) {
    if (fu_swig_svec_alloc(SOUT, s->n) != FU_OK) return;
    for (size_t i = 0; i < s->n; i++) SOUT->v[i] = fu_segment_lifecycle_name(s->a[i].lifecycle);
}

static int fu_swig_opt_col(size_t n, size_t k, const char *what) {
    if (k != 0 && k != n)
        return fu_error_set(FU_EINVAL, "%s: %zu values for %zu customers (give all or none)", what, k, n);
    return FU_OK;
}

static fu_swig_assignments *fu_swig_segment_assign_book(const fu_segment_book_summary *bs, int64_t now,
                                                        const double *p_alive, size_t n6, const double *clv,
                                                        size_t n7, const fu_segment_rules *rules) {
    fu_segment_customer *c;
    fu_swig_assignments *s;
    if (fu_swig_opt_col(bs->n, n6, "p_alive") || fu_swig_opt_col(bs->n, n7, "clv")) return NULL;
    c = (fu_segment_customer *)malloc((bs->n ? bs->n : 1) * sizeof *c);
    if (!c) { fu_swig_nomem(); return NULL; }
    memcpy(c, bs->customers, bs->n * sizeof *c);
    for (size_t i = 0; i < bs->n; i++) {
        if (n6) c[i].p_alive = isnan(p_alive[i]) ? -1 : p_alive[i];
        if (n7) c[i].clv = clv[i];
    }
    s = fu_swig_assign(c, bs->n, now, rules);
    free(c);
    return s;
}

static int64_t fu_swig_time_of(double t) {
    return isnan(t) ? FU_SEGMENT_NO_PURCHASE : (int64_t)t;
}

/* Row i of segment_assign's number columns in the range of their C fields
 * (review s13 I5: a complaint count of 2^32 + 1 was cast to unsigned, a
 * time of 1e30 to int64_t, both undefined or wrapped): times NaN (none) or
 * epoch seconds of years 1..9999, complaints NaN (none) or a count. */
static int fu_swig_assign_row_ok(size_t i, double first, double last, double complaints) {
    const double t[2] = {first, last};
    static const char *const names[2] = {"first_purchase_at", "last_purchase_at"};
    for (int k = 0; k < 2; k++)
        if (!isnan(t[k]) && !(t[k] >= -62135596800.0 && t[k] <= 253402300799.0))
            return fu_error_set(FU_ERANGE, "segment_assign: %s[%zu] = %.17g is not a time (epoch seconds of "
                                "years 1..9999; NaN: none)", names[k], i, t[k]);
    if (!isnan(complaints) && !(complaints >= 0 && complaints <= (double)UINT_MAX && complaints == floor(complaints)))
        return fu_error_set(FU_ERANGE, "segment_assign: recent_complaints[%zu] = %.17g is not a count "
                            "(0..4294967295; NaN: none)", i, complaints);
    return FU_OK;
}

static fu_swig_assignments *fu_swig_segment_assign(int64_t now, const double *annual_spend, size_t n1,
                                                   const double *unit_price, size_t n2,
                                                   const double *first_purchase_at, size_t n3,
                                                   const double *last_purchase_at, size_t n4,
                                                   const double *recent_complaints, size_t n5,
                                                   const double *p_alive, size_t n6, const double *clv, size_t n7,
                                                   const fu_segment_rules *rules) {
    fu_segment_customer *c;
    fu_swig_assignments *s;
    if (fu_swig_same_len(n1, n2, "segment_assign") || fu_swig_same_len(n1, n3, "segment_assign") ||
        fu_swig_same_len(n1, n4, "segment_assign") || fu_swig_same_len(n1, n5, "segment_assign") ||
        fu_swig_opt_col(n1, n6, "p_alive") || fu_swig_opt_col(n1, n7, "clv"))
        return NULL;
    c = (fu_segment_customer *)malloc((n1 ? n1 : 1) * sizeof *c);
    if (!c) { fu_swig_nomem(); return NULL; }
    for (size_t i = 0; i < n1; i++) {
        fu_segment_customer_init(&c[i]);
        if (fu_swig_assign_row_ok(i, first_purchase_at[i], last_purchase_at[i], recent_complaints[i])) {
            free(c);
            return NULL;
        }
        c[i].annual_spend = annual_spend[i];
        c[i].unit_price = unit_price[i];
        c[i].first_purchase_at = fu_swig_time_of(first_purchase_at[i]);
        c[i].last_purchase_at = fu_swig_time_of(last_purchase_at[i]);
        c[i].recent_complaints = isnan(recent_complaints[i]) ? 0u : (unsigned)recent_complaints[i];
        if (n6) c[i].p_alive = isnan(p_alive[i]) ? -1 : p_alive[i];
        if (n7) c[i].clv = clv[i];
    }
    s = fu_swig_assign(c, n1, now, rules);
    free(c);
    return s;
}
%}
%extend fu_swig_assignments {
    ~fu_swig_assignments() { fu_swig_assignments_free($self); }
}
%rename(tiers) fu_swig_assignments::m_tier_name;
%rename(tier_rules) fu_swig_assignments::m_tier_rule;
%rename(product_classes) fu_swig_assignments::m_product_class_name;
%rename(product_rules) fu_swig_assignments::m_product_rule;
%rename(lifecycles) fu_swig_assignments::m_lifecycle;
%rename(lifecycle_rules) fu_swig_assignments::m_lifecycle_rule;
%rename(segments) fu_swig_assignments::m_segment;
%rename(segment_rules) fu_swig_assignments::m_segment_rule;
%rename(handling_rules) fu_swig_assignments::m_handling_rule;
%rename(churn_rules) fu_swig_assignments::m_churn_rule;
%rename(deep_care_rules) fu_swig_assignments::m_deep_care_rule;
%rename(human) fu_swig_assignments::m_human;
%rename(churn_risk) fu_swig_assignments::m_churn_risk;
%rename(deep_care) fu_swig_assignments::m_deep_care;
%extend fu_swig_assignments {
    void m_tier_name(fu_swig_svec *SOUT);
    void m_tier_rule(fu_swig_svec *SOUT);
    void m_product_class_name(fu_swig_svec *SOUT);
    void m_product_rule(fu_swig_svec *SOUT);
    void m_lifecycle(fu_swig_svec *SOUT);
    void m_lifecycle_rule(fu_swig_svec *SOUT);
    void m_segment(fu_swig_svec *SOUT);
    void m_segment_rule(fu_swig_svec *SOUT);
    void m_handling_rule(fu_swig_svec *SOUT);
    void m_churn_rule(fu_swig_svec *SOUT);
    void m_deep_care_rule(fu_swig_svec *SOUT);
    void m_human(fu_swig_ivec *IOUT);
    void m_churn_risk(fu_swig_ivec *IOUT);
    void m_deep_care(fu_swig_ivec *IOUT);
}
%newobject fu_swig_segment_assign_book;
%newobject fu_swig_segment_assign;
FU_RAISES(fu_swig_segment_assign_book)
FU_RAISES(fu_swig_segment_assign)
%rename(segment_assign_book) fu_swig_segment_assign_book;
%rename(segment_assign) fu_swig_segment_assign;

/* ---- per language: results borrow strings from the rules (and policy) and the book ---- */
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_segment_book;
%feature("kwargs") fu_swig_segment_assign_book;
%feature("kwargs") fu_swig_segment_assign;
/* the proxies name their parameters: the results keep what they borrow from */
%pythonappend fu_swig_segment_rules_from_policy %{
    val._parents = (policy,)
%}
%pythonappend fu_swig_segment_book %{
    val._parents = (book, rules)
%}
%pythonappend fu_swig_segment_assign_book %{
    val._parents = (book_summary, rules)
%}
%pythonappend fu_swig_segment_assign %{
    val._parents = (rules,)
%}
#endif
#ifdef SWIGLUA
/* The user value of a result is the table of its parents (the arguments that
 * hold what it borrows). */
%define FU_SEG_KEEP(type, args...)
%typemap(out) type {
    SWIG_NewPointerObj(L, $1, $descriptor(type), $owner); SWIG_arg++;
    if ($1) {
        static const int keep[] = {args};
        lua_createtable(L, (int)(sizeof keep / sizeof keep[0]), 0);
        int nargs = lua_gettop(L) - SWIG_arg; /* the stack holds the arguments, then the results */
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
            if (keep[k] <= nargs) lua_pushvalue(L, keep[k]);
            else lua_pushnil(L);
            lua_rawseti(L, -2, (lua_Integer)k + 1);
        }
        lua_setiuservalue(L, -2, 1);
    }
}
%enddef
FU_SEG_KEEP(fu_segment_rules *, 1)
FU_SEG_KEEP(fu_segment_book_summary *, 1, 3)
#endif

fu_segment_rules *fu_swig_segment_rules_from_policy(const fu_policy *policy);
fu_segment_book_summary *fu_swig_segment_book(const fu_book *book, int64_t now, const fu_segment_rules *rules = NULL,
                                              double unit_seconds = 604800.0, bool local_days = true,
                                              int64_t day_offset = 0);
#ifdef SWIGLUA
FU_SEG_KEEP(fu_swig_assignments *, 1, 5)
#endif
fu_swig_assignments *fu_swig_segment_assign_book(const fu_segment_book_summary *book_summary, int64_t now,
                                                 const double *p_alive, size_t n6, const double *clv, size_t n7,
                                                 const fu_segment_rules *rules = NULL);
#ifdef SWIGLUA
FU_SEG_KEEP(fu_swig_assignments *, 9)
#endif
fu_swig_assignments *fu_swig_segment_assign(int64_t now, const double *annual_spend, size_t n1,
                                            const double *unit_price, size_t n2, const double *first_purchase_at,
                                            size_t n3, const double *last_purchase_at, size_t n4,
                                            const double *recent_complaints, size_t n5, const double *p_alive,
                                            size_t n6, const double *clv, size_t n7,
                                            const fu_segment_rules *rules = NULL);

/* ------------------------------------------------------------ fits with their iteration count
 *   bgnbd_fit_ex(x, t_x, T), pareto_fit_ex(x, t_x, T), gammagamma_fit_ex(x, zbar)
 *     -> (model, iterations): as *_fit, plus the quasi-Newton iterations of the
 *        successful start (used by the Python estimators in followup.models).
 */
%{
#define FU_SWIG_FIT_EX(name, type, call)                                                           \
    static type *name(const double *x, size_t nx, const double *t_x, size_t ntx, const double *T, \
                      size_t nT, unsigned int *out) {                                              \
        type m, *p;                                                                                \
        fu_segment_fit_info info;                                                                  \
        if (fu_swig_same_len(nx, ntx, "fit") || fu_swig_same_len(nx, nT, "fit")) return NULL;     \
        if (call(x, t_x, T, nx, NULL, &info, &m)) return NULL;                                     \
        p = (type *)malloc(sizeof *p);                                                             \
        if (!p) { fu_swig_nomem(); return NULL; }                                                \
        *p = m;                                                                                    \
        *out = info.iterations;                                                                    \
        return p;                                                                                  \
    }
FU_SWIG_FIT_EX(fu_swig_bgnbd_fit_ex, fu_segment_bgnbd, fu_segment_bgnbd_fit)
FU_SWIG_FIT_EX(fu_swig_pareto_fit_ex, fu_segment_pareto, fu_segment_pareto_fit)
static fu_segment_gammagamma *fu_swig_gammagamma_fit_ex(const double *x, size_t nx, const double *zbar, size_t nz,
                                                        unsigned int *out) {
    fu_segment_gammagamma m, *p;
    fu_segment_fit_info info;
    if (fu_swig_same_len(nx, nz, "fit")) return NULL;
    if (fu_segment_gammagamma_fit(x, zbar, nx, NULL, &info, &m)) return NULL;
    p = (fu_segment_gammagamma *)malloc(sizeof *p);
    if (!p) { fu_swig_nomem(); return NULL; }
    *p = m;
    *out = info.iterations;
    return p;
}
%}
%newobject fu_swig_bgnbd_fit_ex;
%newobject fu_swig_pareto_fit_ex;
%newobject fu_swig_gammagamma_fit_ex;
FU_RAISES(fu_swig_bgnbd_fit_ex)
FU_RAISES(fu_swig_pareto_fit_ex)
FU_RAISES(fu_swig_gammagamma_fit_ex)
%rename(bgnbd_fit_ex) fu_swig_bgnbd_fit_ex;
%rename(pareto_fit_ex) fu_swig_pareto_fit_ex;
%rename(gammagamma_fit_ex) fu_swig_gammagamma_fit_ex;
fu_segment_bgnbd *fu_swig_bgnbd_fit_ex(const double *x, size_t nx, const double *t_x, size_t ntx, const double *T,
                                       size_t nT, unsigned int *out);
fu_segment_pareto *fu_swig_pareto_fit_ex(const double *x, size_t nx, const double *t_x, size_t ntx,
                                         const double *T, size_t nT, unsigned int *out);
fu_segment_gammagamma *fu_swig_gammagamma_fit_ex(const double *x, size_t nx, const double *zbar, size_t nz,
                                                 unsigned int *out);

/* ---- the whole pipeline in one call (followup/segment_run.h) ----
 *   segment_run(book, rules, now=SEGMENT_RUN_LAST_EVENT, model=SEGMENT_MODEL_BGNBD,
 *               unit_seconds=604800, horizon=-1, discount=-1) -> SegmentRun
 *   SegmentRun: count(), now(), has_clv(), clv_error() (why there is no CLV, "" when
 *               there is), p_alive(), expected(), clv() -> columns
 *               (NaN where a customer has no figure), csv(book, raw) -> str
 *               (the segment CSV of followup segment), write_csv(book, path, raw=False) */
%constant int SEGMENT_MODEL_BGNBD = FU_SEGMENT_MODEL_BGNBD;
%constant int SEGMENT_MODEL_PARETO = FU_SEGMENT_MODEL_PARETO;
%constant int64_t SEGMENT_RUN_LAST_EVENT = FU_SEGMENT_RUN_LAST_EVENT;
%rename(SegmentRun) fu_segment_run;
%nodefaultctor fu_segment_run;
typedef struct fu_segment_run {} fu_segment_run;
%{
static fu_segment_run *fu_swig_segment_run(const fu_book *book, const fu_segment_rules *rules,
                                           int64_t now, int model, double unit_seconds, double horizon,
                                           double discount) {
    fu_segment_run_options o = FU_SEGMENT_RUN_OPTIONS_INIT;
    fu_segment_run *r = NULL;
    o.model = (fu_segment_model)model;
    o.unit_seconds = unit_seconds;
    o.horizon = horizon;
    o.annual_discount = discount;
    fu_segment_run_new(&r, book, now, rules, &o);
    return r;
}
static void fu_swig_run_col(const double *col, size_t n, fu_swig_dvec *OUT) {
    if (fu_swig_dvec_alloc(OUT, n) == FU_OK && n) memcpy(OUT->v, col, n * sizeof(double));
}
static void fu_segment_run_m_p_alive(fu_segment_run *r, fu_swig_dvec *OUT) {
    fu_swig_run_col(fu_segment_run_p_alive(r), fu_segment_run_count(r), OUT);
}
static void fu_segment_run_m_expected(fu_segment_run *r, fu_swig_dvec *OUT) {
    fu_swig_run_col(fu_segment_run_expected(r), fu_segment_run_count(r), OUT);
}
static void fu_segment_run_m_clv(fu_segment_run *r, fu_swig_dvec *OUT) {
    fu_swig_run_col(fu_segment_run_clv(r), fu_segment_run_count(r), OUT);
}
%}
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_segment_run;
%feature("kwargs") fu_segment_run::m_csv;
%feature("kwargs") fu_segment_run::m_write_csv;
#endif
%newobject fu_swig_segment_run;
FU_RAISES(fu_swig_segment_run)
%rename(segment_run) fu_swig_segment_run;
fu_segment_run *fu_swig_segment_run(const fu_book *book, const fu_segment_rules *rules,
                                    int64_t now = FU_SEGMENT_RUN_LAST_EVENT, int model = FU_SEGMENT_MODEL_BGNBD,
                                    double unit_seconds = 604800.0, double horizon = -1.0, double discount = -1.0);
FU_FALLIBLE(m_write_csv)
FU_RAISES(fu_segment_run::m_p_alive)
FU_RAISES(fu_segment_run::m_expected)
FU_RAISES(fu_segment_run::m_clv)
FU_RAISES(fu_segment_run::m_csv)
%rename(count) fu_segment_run::m_count;
%rename(now) fu_segment_run::m_now;
%rename(has_clv) fu_segment_run::m_has_clv;
%rename(clv_error) fu_segment_run::m_clv_error;
%rename(p_alive) fu_segment_run::m_p_alive;
%rename(expected) fu_segment_run::m_expected;
%rename(clv) fu_segment_run::m_clv;
%rename(csv) fu_segment_run::m_csv;
%rename(write_csv) fu_segment_run::m_write_csv;
%extend fu_segment_run {
    ~fu_segment_run() { fu_segment_run_free($self); }
    size_t m_count() { return fu_segment_run_count($self); }
    int64_t m_now() { return fu_segment_run_fit_result($self)->now; }
    bool m_has_clv() { return fu_segment_run_fit_result($self)->has_gammagamma != 0; }
    const char *m_clv_error() { return fu_segment_run_fit_result($self)->gammagamma_error; }
    void m_p_alive(fu_swig_dvec *OUT);
    void m_expected(fu_swig_dvec *OUT);
    void m_clv(fu_swig_dvec *OUT);
    void m_csv(const fu_book *book, bool raw, char **out) {
        fu_segment_run_write_csv_to_string($self, book, raw ? FU_SEGMENT_CSV_RAW : 0u, NULL, out);
    }
    int m_write_csv(const fu_book *book, const char *path, bool raw = false) {
        return fu_segment_run_write_csv($self, book, raw ? FU_SEGMENT_CSV_RAW : 0u, path);
    }
}
