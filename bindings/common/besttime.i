/* SWIG interface of fu_besttime (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   BestTime(policy, book, segments=None, n_segments=0, flags=0, slot_seconds=0,
 *            half_life_seconds=0, prior_strength=-1, prior_answer_rate=-1,
 *            prior_method=BESTTIME_PRIOR_MOMENTS, as_of=BOOK_NO_TIME, b2b_calendar=None,
 *            b2b=BESTTIME_B2B_DEFAULT)
 *       The policy is borrowed: the model keeps a reference to it. The book is
 *       copied (it may go away). `segments`: one segment number per book
 *       customer (n_segments 0: max + 1).
 *     customer_count(), slot_count(), segment_count(), slot_of_hour(h)
 *     record(customer, at, outcome)            online update
 *     fit_prior(as_of=BOOK_NO_TIME)            refit the segment priors
 *     prior(segment, slot) -> (alpha, beta)
 *     posterior(customer, slot, now, level=0.9) -> Estimate
 *         (p, lo, hi, alpha, beta, successes, trials)
 *     may_contact(customer, now, channel=CHANNEL_PHONE, flags=0)
 *         -> (allowed, rule, next_allowed)     (Lua: three return values)
 *         the hour constraints only; a dialer asks Guard.check (caps, gap,
 *         holidays, redial rules)
 *     best(customer, from_, to, channel=CHANNEL_PHONE, flags=0, k=1, level=0.9,
 *          query_flags=0, seed=0, now=BOOK_NO_TIME) -> [Slot]
 *         Slot: at, until, p, lo, hi, score, hour_of_week, slot, flags, rule,
 *               next_allowed. No allowed hour: one Slot with at == BESTTIME_NONE
 *               and the rule / next allowed instant.
 *     best_day(now, day=None, customers=None, channel=CHANNEL_PHONE, flags=0, level=0.9,
 *              query_flags=0, seed=0) -> [Slot]   (tomorrow when day is None / nil;
 *              every customer when customers is None / nil)
 *     customer_matrix(customer, now, part="mean", level=0.9)
 *     segment_matrix(segment, part="mean", level=0.9)
 *         The 7 x 24 matrix (rows Monday..Sunday, columns local hours 0..23) of
 *         the posterior mean ("mean") or the interval bound ("lo", "hi").
 *         Python: a numpy array of shape (7, 24) when numpy is importable,
 *         else a list of 7 lists of 24 floats. Lua: a table of 7 tables of 24.
 *   beta_cdf(x, a, b), beta_quantile(q, a, b): the Beta(a, b) CDF and quantile.
 *   Constants: BESTTIME_URGENT (contact flag), BESTTIME_THOMPSON,
 *   BESTTIME_NO_INTERVAL (query flags), BESTTIME_EXPLICIT_CONSENT (model flag),
 *   BESTTIME_PRIOR_MOMENTS, BESTTIME_PRIOR_FIXED, BESTTIME_B2B_INDUSTRY,
 *   BESTTIME_B2B_SMB, BESTTIME_B2B_DEFAULT, BESTTIME_SLOT_PREFERRED,
 *   BESTTIME_NEVER, BESTTIME_NONE.
 * Failures raise (followup.Error subclasses in Python, error tables in Lua).
 *
 * Methods are written m_<name> and renamed (SWIG would name the helper of an
 * %extend method fu_besttime_<name>, colliding with the C API).
 */

%{
#include <stdlib.h>
#include <string.h>

/* A slot copied out of the model: owns its rule text, so it outlives the model. */
typedef struct fu_swig_bt_slot {
    int64_t at;
    int64_t until;
    double p;
    double lo;
    double hi;
    double score;
    int hour_of_week;
    int slot;
    unsigned int flags;
    char *rule;
    int64_t next_allowed;
} fu_swig_bt_slot;

static void fu_swig_bt_slot_free(fu_swig_bt_slot *s) {
    if (!s) return;
    free(s->rule);
    free(s);
}

static fu_swig_bt_slot *fu_swig_bt_slot_copy(const fu_besttime_slot *in) {
    fu_swig_bt_slot *s = (fu_swig_bt_slot *)calloc(1, sizeof *s);
    if (!s) return NULL;
    s->at = in->at;
    s->until = in->until;
    s->p = in->p;
    s->lo = in->lo;
    s->hi = in->hi;
    s->score = in->score;
    s->hour_of_week = in->hour_of_week;
    s->slot = in->slot;
    s->flags = in->flags;
    s->next_allowed = in->next_allowed;
    if (in->rule) {
        s->rule = (char *)malloc(strlen(in->rule) + 1);
        if (!s->rule) {
            free(s);
            return NULL;
        }
        strcpy(s->rule, in->rule);
    }
    return s;
}

/* Results of best() / best_day() on their way to the target language. */
typedef struct fu_swig_bt_slots {
    fu_besttime_slot *v;
    size_t n;
} fu_swig_bt_slots;

/* A 7 x 24 matrix on its way out. */
typedef struct fu_swig_bt_matrix {
    double v[FU_HOURS_PER_WEEK];
} fu_swig_bt_matrix;

/* "mean" 0, "lo" 1, "hi" 2; -1 (error set) otherwise. */
static int fu_swig_bt_part(const char *part) {
    if (!part || strcmp(part, "mean") == 0) return 0;
    if (strcmp(part, "lo") == 0) return 1;
    if (strcmp(part, "hi") == 0) return 2;
    return fu_error_set(FU_EINVAL, "matrix part must be \"mean\", \"lo\" or \"hi\" (got \"%s\")", part);
}

static int fu_swig_bt_query(fu_besttime_query_options *q, double level, unsigned int query_flags,
                            uint64_t seed, int64_t now) {
    fu_besttime_query_options_init(q);
    q->level = level;
    q->flags = query_flags;
    q->seed = seed;
    q->now = now;
    return FU_OK;
}

/* FU_OK, or FU_EINVAL naming the argument, its value and the range (the
 * C library says only "argument out of range"). Lua checks its 1-based
 * customer indexes before (idioms.lua), so the numbers here are 0-based. */
static int fu_swig_bt_index(const char *what, size_t i, size_t n) {
    if (i < n) return FU_OK;
    if (n == 0) return fu_error_set(FU_EINVAL, "%s %zu out of range (the model has no %ss)", what, i, what);
    return fu_error_set(FU_EINVAL, "%s %zu out of range (0..%zu: the model has %zu %s%s)", what, i, n - 1, n, what,
                        n == 1 ? "" : "s");
}
static int fu_swig_bt_customer(const fu_besttime *m, size_t customer) {
    return fu_swig_bt_index("customer", customer, m ? fu_besttime_customer_count(m) : 0);
}

static void fu_swig_bt_matrix_of(const fu_besttime *m, int is_customer, size_t index, int64_t now,
                                 const char *part, double level, fu_swig_bt_matrix *out) {
    int which = fu_swig_bt_part(part);
    if (which < 0) return;
    if (is_customer ? fu_swig_bt_customer(m, index)
                    : fu_swig_bt_index("segment", index,
                                       m ? fu_besttime_segment_count(m) : 0))
        return;
    double other[FU_HOURS_PER_WEEK], third[FU_HOURS_PER_WEEK];
    double *mean = which == 0 ? out->v : other;
    double *lo = which == 0 ? NULL : which == 1 ? out->v : third;
    double *hi = which == 0 ? NULL : which == 2 ? out->v : third;
    if (which == 0) level = 0.0;
    if (is_customer) fu_besttime_customer_matrix(m, index, now, level, mean, lo, hi);
    else fu_besttime_segment_matrix(m, index, level, mean, lo, hi);
}

/* The segment column of BestTime(): uint32 values, n_segments from the max. */
typedef struct fu_swig_bt_segs {
    uint32_t *v;
    size_t n;
    int given;
    int bad; /* a negative or too large value */
} fu_swig_bt_segs;
%}


/* ================================================================ Python */
#ifdef SWIGPYTHON
%{
/* None or a sequence of non-negative integers. */
static int fu_py_bt_segs(PyObject *obj, fu_swig_bt_segs *s) {
    s->v = NULL;
    s->n = 0;
    s->given = 0;
    s->bad = 0;
    if (obj == Py_None) return 0;
    PyObject *seq = PySequence_Fast(obj, "segments: expected a sequence of integers or None");
    if (!seq) return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    s->v = (uint32_t *)malloc((size_t)(len ? len : 1) * sizeof *s->v);
    if (!s->v) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        long long x = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (x == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        if (x < 0 || x > (long long)UINT32_MAX - 1) s->bad = 1;
        s->v[i] = (uint32_t)x;
    }
    Py_DECREF(seq);
    s->n = (size_t)len;
    s->given = 1;
    return 0;
}

/* None or a sequence of customer indexes. */
static int fu_py_bt_indexes(PyObject *obj, size_t **out, size_t *n, int *given) {
    *out = NULL;
    *n = 0;
    *given = 0;
    if (obj == Py_None) return 0;
    PyObject *seq = PySequence_Fast(obj, "customers: expected a sequence of integers or None");
    if (!seq) return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    size_t *v = (size_t *)malloc((size_t)(len ? len : 1) * sizeof *v);
    if (!v) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        size_t x = PyLong_AsSize_t(PySequence_Fast_GET_ITEM(seq, i));
        if (x == (size_t)-1 && PyErr_Occurred()) {
            free(v);
            Py_DECREF(seq);
            return -1;
        }
        v[i] = x;
    }
    Py_DECREF(seq);
    *out = v;
    *n = (size_t)len;
    *given = 1;
    return 0;
}

/* The 7 x 24 matrix: numpy.asarray(rows) when numpy imports, else the rows. */
static PyObject *fu_py_bt_matrix(const double *v) {
    PyObject *rows = PyList_New(7);
    if (!rows) return NULL;
    for (int d = 0; d < 7; d++) {
        PyObject *row = PyList_New(24);
        if (!row) {
            Py_DECREF(rows);
            return NULL;
        }
        for (int h = 0; h < 24; h++) PyList_SET_ITEM(row, h, PyFloat_FromDouble(v[d * 24 + h]));
        PyList_SET_ITEM(rows, d, row);
    }
    PyObject *np = PyImport_ImportModule("numpy");
    if (!np) {
        PyErr_Clear(); /* no numpy: nested lists */
        return rows;
    }
    PyObject *arr = PyObject_CallMethod(np, "asarray", "Os", rows, "float64");
    Py_DECREF(np);
    Py_DECREF(rows);
    return arr;
}
%}

%typemap(in) (const uint32_t *segments, size_t n_segment_values) (fu_swig_bt_segs s = {NULL, 0, 0, 0}) {
    if (fu_py_bt_segs($input, &s) < 0) SWIG_fail;
    $1 = s.given ? s.v : NULL;
    $2 = s.given ? (s.bad ? (size_t)-1 : s.n) : 0;
}
%typemap(freearg) (const uint32_t *segments, size_t n_segment_values) { free(s$argnum.v); }

%typemap(in) (const size_t *customers, size_t n_customers, int customers_given)
    (size_t *cv = NULL, size_t cnt = 0, int given = 0) {
    if (fu_py_bt_indexes($input, &cv, &cnt, &given) < 0) SWIG_fail;
    $1 = cv; $2 = cnt; $3 = given;
}
%typemap(freearg) (const size_t *customers, size_t n_customers, int customers_given) { free(cv$argnum); }

%typemap(in, numinputs=0) fu_besttime_decision *DECISION (fu_besttime_decision tmp) {
    memset(&tmp, 0, sizeof tmp);
    $1 = &tmp;
}
%typemap(argout) fu_besttime_decision *DECISION {
    PyObject *t = Py_BuildValue("(NNL)", PyBool_FromLong($1->allowed),
        $1->rule ? PyUnicode_FromString($1->rule) : (Py_INCREF(Py_None), Py_None),
        (long long)$1->next_allowed);
    if (!t) SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, t);
}

%typemap(in, numinputs=0) fu_swig_bt_slots *SLOTS (fu_swig_bt_slots tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_bt_slots *SLOTS {
    PyObject *list = PyList_New((Py_ssize_t)$1->n);
    if (!list) SWIG_fail;
    for (size_t i = 0; i < $1->n; i++) {
        fu_swig_bt_slot *s = fu_swig_bt_slot_copy(&$1->v[i]);
        PyObject *o = s ? SWIG_NewPointerObj(SWIG_as_voidptr(s), SWIGTYPE_p_fu_swig_bt_slot, SWIG_POINTER_OWN) : NULL;
        if (!o) {
            fu_swig_bt_slot_free(s);
            Py_DECREF(list);
            if (!PyErr_Occurred()) PyErr_NoMemory();
            SWIG_fail;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, o);
    }
    $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) fu_swig_bt_slots *SLOTS { free($1->v); }

%typemap(in, numinputs=0) fu_swig_bt_matrix *MATRIX (fu_swig_bt_matrix tmp) "$1 = &tmp;"
%typemap(argout) fu_swig_bt_matrix *MATRIX {
    PyObject *mx = fu_py_bt_matrix($1->v);
    if (!mx) SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, mx);
}

%typemap(in, numinputs=0) (double *alpha_out, double *beta_out) (double a = 0, double b = 0) "$1 = &a; $2 = &b;"
%typemap(argout) (double *alpha_out, double *beta_out) {
    PyObject *t = Py_BuildValue("(dd)", *$1, *$2);
    if (!t) SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, t);
}

/* The policy is borrowed by the model: keep the Python object alive. */
%pythonappend fu_besttime::fu_besttime %{
    self._policy = args[0] if args else kwargs.get("policy")
%}
%feature("kwargs") fu_besttime::fu_besttime;
%feature("kwargs") fu_besttime::m_best;
%feature("kwargs") fu_besttime::m_best_day;
%feature("kwargs") fu_besttime::m_may_contact;
%feature("kwargs") fu_besttime::m_customer_matrix;
%feature("kwargs") fu_besttime::m_segment_matrix;
%feature("kwargs") fu_besttime::m_posterior;
#endif

/* ================================================================ Lua */
#ifdef SWIGLUA
%{
/* nil or an array of non-negative integers. */
static int fu_lua_bt_segs(lua_State *L, int idx, fu_swig_bt_segs *s) {
    s->v = NULL;
    s->n = 0;
    s->given = 0;
    s->bad = 0;
    if (lua_isnoneornil(L, idx)) return 0;
    size_t len;
    int rc = fu_lua_array_open(L, idx, &len);
    if (rc) return rc;
    s->v = (uint32_t *)malloc((len ? len : 1) * sizeof *s->v);
    if (!s->v) return fu_error_set(FU_ENOMEM, "argument %d: out of memory", idx);
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (!fu_lua_isinteger(L, -1)) {
            rc = fu_lua_elem_bad(L, idx, i, "expected a segment number >= 0");
            lua_pop(L, 1);
            return rc;
        }
        lua_Integer x = fu_lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (x < 0 || x > (lua_Integer)UINT32_MAX - 1) s->bad = 1;
        s->v[i] = (uint32_t)x;
    }
    s->n = len;
    s->given = 1;
    return 0;
}

/* nil or an array of customer indexes (0-based, as everywhere in the API). */
static int fu_lua_bt_indexes(lua_State *L, int idx, size_t **out, size_t *n, int *given) {
    *out = NULL;
    *n = 0;
    *given = 0;
    if (lua_isnoneornil(L, idx)) return 0;
    size_t len;
    int rc = fu_lua_array_open(L, idx, &len);
    if (rc) return rc;
    size_t *v = (size_t *)malloc((len ? len : 1) * sizeof *v);
    if (!v) return fu_error_set(FU_ENOMEM, "argument %d: out of memory", idx);
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (!fu_lua_isinteger(L, -1) || fu_lua_tointeger(L, -1) < 0) {
            rc = fu_lua_elem_bad(L, idx, i, "expected a customer index >= 0");
            lua_pop(L, 1);
            free(v);
            return rc;
        }
        v[i] = (size_t)fu_lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    *out = v;
    *n = len;
    *given = 1;
    return 0;
}
%}

%typemap(in, checkfn="lua_isnoneornil_or_table") (const uint32_t *segments, size_t n_segment_values) (fu_swig_bt_segs s = {NULL, 0, 0, 0}) {
    int fu_rc = fu_lua_bt_segs(L, $input, &s);
    if (fu_rc < 0) {
        fu_error_prefix("$symname");
        fu_lua_push_error(L, fu_rc);
        SWIG_fail;
    }
    $1 = s.given ? s.v : NULL;
    $2 = s.given ? (s.bad ? (size_t)-1 : s.n) : 0;
}
%typemap(freearg) (const uint32_t *segments, size_t n_segment_values) { free(s$argnum.v); }
%typemap(default) (const uint32_t *segments, size_t n_segment_values) "$1 = NULL; $2 = 0;"


%typemap(in, checkfn="lua_isnoneornil_or_table") (const size_t *customers, size_t n_customers, int customers_given)
    (size_t *cv = NULL, size_t cnt = 0, int given = 0) {
    int fu_rc = fu_lua_bt_indexes(L, $input, &cv, &cnt, &given);
    if (fu_rc < 0) {
        fu_error_prefix("$symname");
        fu_lua_push_error(L, fu_rc);
        SWIG_fail;
    }
    $1 = cv; $2 = cnt; $3 = given;
}
%typemap(freearg) (const size_t *customers, size_t n_customers, int customers_given) { free(cv$argnum); }
%typemap(default) (const size_t *customers, size_t n_customers, int customers_given) {
    $1 = NULL; $2 = 0; $3 = 0;
}

%typemap(in, numinputs=0) fu_besttime_decision *DECISION (fu_besttime_decision tmp) {
    memset(&tmp, 0, sizeof tmp);
    $1 = &tmp;
}
%typemap(argout) fu_besttime_decision *DECISION {
    lua_pushboolean(L, $1->allowed);
    if ($1->rule) lua_pushstring(L, $1->rule); else lua_pushnil(L);
    lua_pushinteger(L, (lua_Integer)$1->next_allowed);
    SWIG_arg += 3;
}

%typemap(in, numinputs=0) fu_swig_bt_slots *SLOTS (fu_swig_bt_slots tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
%typemap(argout) fu_swig_bt_slots *SLOTS {
    lua_createtable(L, (int)$1->n, 0);
    for (size_t i = 0; i < $1->n; i++) {
        fu_swig_bt_slot *s = fu_swig_bt_slot_copy(&$1->v[i]);
        if (!s) {
            lua_pushstring(L, "out of memory");
            SWIG_fail;
        }
        SWIG_NewPointerObj(L, s, SWIGTYPE_p_fu_swig_bt_slot, 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    SWIG_arg++;
}
%typemap(freearg) fu_swig_bt_slots *SLOTS { free($1->v); }

%typemap(in, numinputs=0) fu_swig_bt_matrix *MATRIX (fu_swig_bt_matrix tmp) "$1 = &tmp;"
%typemap(argout) fu_swig_bt_matrix *MATRIX {
    lua_createtable(L, 7, 0);
    for (int d = 0; d < 7; d++) {
        lua_createtable(L, 24, 0);
        for (int h = 0; h < 24; h++) {
            lua_pushnumber(L, $1->v[d * 24 + h]);
            lua_rawseti(L, -2, h + 1);
        }
        lua_rawseti(L, -2, d + 1);
    }
    SWIG_arg++;
}

%typemap(in, numinputs=0) (double *alpha_out, double *beta_out) (double a = 0, double b = 0) "$1 = &a; $2 = &b;"
%typemap(argout) (double *alpha_out, double *beta_out) {
    lua_pushnumber(L, *$1);
    lua_pushnumber(L, *$2);
    SWIG_arg += 2;
}

%{
static int lua_isnoneornil_or_table(lua_State *L, int idx) {
    return lua_isnoneornil(L, idx) || lua_istable(L, idx);
}
%}

/* The policy is borrowed by the model: the new userdata's user value holds
 * the policy's userdata (argument 1), so the policy lives as long as it. */
%typemap(out) struct fu_besttime * {
    SWIG_NewPointerObj(L, $1, $descriptor(struct fu_besttime *), $owner); SWIG_arg++;
    if ($1 && lua_isuserdata(L, 1)) {
        lua_pushvalue(L, 1);
        lua_setiuservalue(L, -2, 1);
    }
}
#endif

/* ================================================================ constants */
%constant unsigned int BESTTIME_URGENT = FU_BESTTIME_URGENT;
%constant unsigned int BESTTIME_THOMPSON = FU_BESTTIME_THOMPSON;
%constant unsigned int BESTTIME_NO_INTERVAL = FU_BESTTIME_NO_INTERVAL;
%constant unsigned int BESTTIME_EXPLICIT_CONSENT = FU_BESTTIME_EXPLICIT_CONSENT;
%constant unsigned int BESTTIME_SLOT_PREFERRED = FU_BESTTIME_SLOT_PREFERRED;
%constant unsigned int BESTTIME_B2B_INDUSTRY = FU_BESTTIME_B2B_INDUSTRY;
%constant unsigned int BESTTIME_B2B_SMB = FU_BESTTIME_B2B_SMB;
%constant unsigned int BESTTIME_B2B_DEFAULT = FU_BESTTIME_B2B_DEFAULT;
%constant int BESTTIME_PRIOR_MOMENTS = FU_BESTTIME_PRIOR_MOMENTS;
%constant int BESTTIME_PRIOR_FIXED = FU_BESTTIME_PRIOR_FIXED;
%constant int64_t BESTTIME_NEVER = FU_BESTTIME_NEVER;
%constant int64_t BESTTIME_NONE = FU_BESTTIME_NONE;

/* ================================================================ Beta helpers */
FU_FALLIBLE(fu_besttime_beta_cdf)
FU_FALLIBLE(fu_besttime_beta_quantile)
%rename(beta_cdf) fu_besttime_beta_cdf;
%rename(beta_quantile) fu_besttime_beta_quantile;
int fu_besttime_beta_cdf(double x, double a, double b, double *out);
int fu_besttime_beta_quantile(double q, double a, double b, double *out);

/* ================================================================ records */
%rename(BestTimeSlot) fu_swig_bt_slot;
%nodefaultctor fu_swig_bt_slot;
%immutable;
typedef struct fu_swig_bt_slot {
    int64_t at;            /* BESTTIME_NONE when the window has no allowed instant */
    int64_t until;
    double p;
    double lo;
    double hi;
    double score;
    int hour_of_week;      /* -1 for none */
    int slot;              /* -1 for none */
    unsigned int flags;    /* BESTTIME_SLOT_PREFERRED */
    char *rule;            /* None (nil) when a slot was found */
    int64_t next_allowed;
} fu_swig_bt_slot;
%mutable;
%extend fu_swig_bt_slot {
    ~fu_swig_bt_slot() { fu_swig_bt_slot_free($self); }
}

%rename(BestTimeEstimate) fu_besttime_estimate;
%nodefaultctor fu_besttime_estimate;
%immutable;
typedef struct fu_besttime_estimate {
    double p;
    double lo;
    double hi;
    double alpha;
    double beta;
    double successes;
    double trials;
} fu_besttime_estimate;
%mutable;
%extend fu_besttime_estimate {
    ~fu_besttime_estimate() { free($self); }
}

/* ================================================================ the model */
%rename(BestTime) fu_besttime;
typedef struct fu_besttime {} fu_besttime;

%newobject fu_besttime::m_posterior;
FU_RAISES(fu_besttime::fu_besttime)
FU_RAISES(fu_besttime::m_slot_of_hour)
FU_RAISES(fu_besttime::m_record)
FU_RAISES(fu_besttime::m_fit_prior)
FU_RAISES(fu_besttime::m_prior)
FU_RAISES(fu_besttime::m_posterior)
FU_RAISES(fu_besttime::m_may_contact)
FU_RAISES(fu_besttime::m_best)
FU_RAISES(fu_besttime::m_best_day)
FU_RAISES(fu_besttime::m_customer_matrix)
FU_RAISES(fu_besttime::m_segment_matrix)
%rename(customer_count) fu_besttime::m_customer_count;
%rename(slot_count) fu_besttime::m_slot_count;
%rename(segment_count) fu_besttime::m_segment_count;
%rename(slot_of_hour) fu_besttime::m_slot_of_hour;
%rename(record) fu_besttime::m_record;
%rename(fit_prior) fu_besttime::m_fit_prior;
%rename(prior) fu_besttime::m_prior;
%rename(posterior) fu_besttime::m_posterior;
%rename(may_contact) fu_besttime::m_may_contact;
%rename(best) fu_besttime::m_best;
%rename(best_day) fu_besttime::m_best_day;
%rename(customer_matrix) fu_besttime::m_customer_matrix;
%rename(segment_matrix) fu_besttime::m_segment_matrix;


%extend fu_besttime {
    fu_besttime(const fu_policy *policy, const fu_book *book, const uint32_t *segments = NULL,
                size_t n_segment_values = 0, size_t n_segments = 0, unsigned int flags = 0,
                int64_t slot_seconds = 0, int64_t half_life_seconds = 0, double prior_strength = -1.0,
                double prior_answer_rate = -1.0, int prior_method = FU_BESTTIME_PRIOR_MOMENTS,
                int64_t as_of = FU_BOOK_NO_TIME, const char *b2b_calendar = NULL,
                unsigned int b2b = FU_BESTTIME_B2B_DEFAULT) {
        if (!policy || !book) {
            fu_error_set(FU_EINVAL, "BestTime: policy and book are required");
            return NULL;
        }
        if (n_segment_values == (size_t)-1) {
            fu_error_set(FU_EINVAL, "BestTime: segment numbers must be in 0..4294967294");
            return NULL;
        }
        if (segments && n_segment_values != fu_book_customer_count(book)) {
            fu_error_set(FU_EINVAL, "BestTime: %lu segment values for %lu customers",
                          (unsigned long)n_segment_values, (unsigned long)fu_book_customer_count(book));
            return NULL;
        }
        if (segments && n_segments == 0) {
            for (size_t i = 0; i < n_segment_values; i++)
                if ((size_t)segments[i] + 1 > n_segments) n_segments = (size_t)segments[i] + 1;
            if (n_segments == 0) n_segments = 1;
        }
        fu_besttime_options o;
        fu_besttime_options_init(&o);
        o.flags = flags;
        o.slot_seconds = slot_seconds;
        o.half_life_seconds = half_life_seconds;
        o.prior_strength = prior_strength;
        o.prior_answer_rate = prior_answer_rate;
        o.prior_method = (fu_besttime_prior_method)prior_method;
        o.as_of = as_of;
        o.b2b_calendar = b2b_calendar;
        o.b2b = b2b;
        fu_besttime *m = NULL;
        fu_besttime_new(&m, policy, book, segments, n_segments, &o);
        return m;
    }
    ~fu_besttime() { fu_besttime_free($self); }

    size_t m_customer_count() { return fu_besttime_customer_count($self); }
    int m_slot_count() { return fu_besttime_slot_count($self); }
    size_t m_segment_count() { return fu_besttime_segment_count($self); }
    int m_slot_of_hour(int hour_of_week) {
        int s = fu_besttime_slot_of_hour($self, hour_of_week);
        return s < 0 ? 0 : s;
    }
    void m_record(size_t customer, int64_t at, int outcome) {
        fu_besttime_record($self, customer, at, (fu_outcome)outcome);
    }
    void m_fit_prior(int64_t as_of = FU_BOOK_NO_TIME) { fu_besttime_fit_prior($self, as_of); }
    void m_prior(size_t segment, int slot, double *alpha_out, double *beta_out) {
        fu_besttime_prior($self, segment, slot, alpha_out, beta_out);
    }
    fu_besttime_estimate *m_posterior(size_t customer, int slot, int64_t now, double level = 0.9) {
        fu_besttime_estimate e;
        if (fu_swig_bt_customer($self, customer)) return NULL;
        if (fu_besttime_posterior($self, customer, slot, now, level, &e)) return NULL;
        fu_besttime_estimate *p = (fu_besttime_estimate *)malloc(sizeof *p);
        if (!p) {
            fu_swig_nomem();
            return NULL;
        }
        *p = e;
        return p;
    }
    void m_may_contact(size_t customer, int64_t now, int channel = FU_CHANNEL_PHONE,
                       unsigned int flags = 0, fu_besttime_decision *DECISION = NULL) {
        if (fu_swig_bt_customer($self, customer)) return;
        fu_besttime_may_contact($self, customer, now, (fu_channel)channel, flags, DECISION);
    }
    void m_best(size_t customer, int64_t from_, int64_t to, int channel = FU_CHANNEL_PHONE,
                unsigned int flags = 0, size_t k = 1, double level = 0.9, unsigned int query_flags = 0,
                uint64_t seed = 0, int64_t now = FU_BOOK_NO_TIME, fu_swig_bt_slots *SLOTS = NULL) {
        fu_besttime_query_options q;
        size_t found = 0;
        if (fu_swig_bt_customer($self, customer)) return;
        if (k > 168 * 400 + 1) {
            fu_error_set(FU_ELIMIT, "best: k must be at most %d", 168 * 400 + 1);
            return;
        }
        fu_swig_bt_query(&q, level, query_flags, seed, now);
        SLOTS->v = (fu_besttime_slot *)malloc((k ? k : 1) * sizeof *SLOTS->v);
        if (!SLOTS->v) {
            fu_swig_nomem();
            return;
        }
        if (fu_besttime_best($self, customer, from_, to, (fu_channel)channel, flags, k, &q, SLOTS->v, &found))
            return;
        /* none found: the one explanatory slot */
        SLOTS->n = found ? found : (k ? 1 : 0);
    }
    void m_best_day(int64_t now, const fu_date *day = NULL, const size_t *customers = NULL,
                    size_t n_customers = 0, int customers_given = 0, int channel = FU_CHANNEL_PHONE,
                    unsigned int flags = 0, double level = 0.9, unsigned int query_flags = 0,
                    uint64_t seed = 0, fu_swig_bt_slots *SLOTS = NULL) {
        fu_besttime_query_options q;
        size_t n = customers_given ? n_customers : fu_besttime_customer_count($self);
        fu_swig_bt_query(&q, level, query_flags, seed, FU_BOOK_NO_TIME);
        SLOTS->v = (fu_besttime_slot *)malloc((n ? n : 1) * sizeof *SLOTS->v);
        if (!SLOTS->v) {
            fu_swig_nomem();
            return;
        }
        if (fu_besttime_best_day($self, day, now, customers_given ? customers : NULL, n,
                                 (fu_channel)channel, flags, &q, SLOTS->v))
            return;
        SLOTS->n = n;
    }
    void m_customer_matrix(size_t customer, int64_t now, const char *part = "mean", double level = 0.9,
                           fu_swig_bt_matrix *MATRIX = NULL) {
        fu_swig_bt_matrix_of($self, 1, customer, now, part, level, MATRIX);
    }
    void m_segment_matrix(size_t segment, const char *part = "mean", double level = 0.9,
                          fu_swig_bt_matrix *MATRIX = NULL) {
        fu_swig_bt_matrix_of($self, 0, segment, 0, part, level, MATRIX);
    }
}
