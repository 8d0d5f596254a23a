/* SWIG interface of fu_kpi (language-neutral; per-language pieces are under
 * #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   Kpi(policy, period="week", by="none", from_=KPI_NO_TIME, to=KPI_NO_TIME,
 *       as_of=KPI_NO_TIME, costs=None, budget=0, derived_due=True)  (keeps the policy alive)
 *     period: "day" | "week" | "month"; by: "none" or dimensions joined by ","
 *     ("tier,agent"), each once; both in any case; times are UTC seconds (followup.time_parse);
 *     derived_due=False: coverage counts only the due items of add_due
 *     (FU_KPI_NO_DERIVED_DUE; add_due sets it too), e.g. for KPI partitions
 *     whose plan may be empty;
 *     costs: "phone=8,sms=0.1" (cost of one contact per channel; enables ROI; the CLI's --cost)
 *     budget: follow-up budget of one period, same currency (> 0 enables "budget_overrun";
 *     the CLI's --budget; needs costs); Lua passes these three positionally after as_of
 *   Kpi methods (add_book borrows the book, which refuses changes until the
 *   Kpi is freed; the Kpi keeps the book object alive in both languages):
 *     add_book(book), add_customer(id, annual_spend=nan, first_purchase_at=KPI_NO_TIME),
 *     add_event(customer_id, at, kind, order_id=None, product_class=None, unit_price=nan,
 *               amount=nan, severity=0, channel=0, agent_id=None, outcome=0, score=nan,
 *               survey=0)
 *     add_due(customer_id, due_to, due_from=KPI_NO_TIME, agent_id=None)
 *     add_commitment(customer_id, deadline, state, closed_at=KPI_NO_TIME, created_by=None)
 *     add_ledger(ledger), set_segment(customer_id, label)
 *     read_segments_csv(path): the labels of a CSV with customer_id and segment
 *       columns (fu_kpi_read_segments_csv; the CSV of `followup segment`)
 *     Lua: set_segments{customer_id = label, ...} (one C call, all or nothing;
 *       Python's set_segments takes a DataFrame, Series, dict or lists)
 *     compute() -> number of figures
 *     count(), figure(i) -> KpiFigure, find(kpi, period=None, group=None) -> KpiFigure or None
 *     scorecard_count(), scorecard(i) -> KpiScorecard
 *     csv(), json(), dashboard() -> str
 *     partial() -> bytes (Lua: string), merge(blob): partial aggregates of a
 *     partition and their merge (fu_kpi_partial_write / fu_kpi_merge_partial;
 *     needs as_of); compute() then gives the figures of all merged partitions
 *     Python: figures(), scorecards(), records() -> list of dicts, to_dataframe()
 *     (a pandas DataFrame when pandas is importable, else records())
 *   KpiFigure (a copy, owns its strings): kpi, group, period, value, ci_low, ci_high, n,
 *     successes, target, status ("green", "yellow", "red", "none"), rule,
 *     period_start, period_end; NaN where the figure has none.
 *   KpiScorecard: agent, group, period, satisfaction, resolution, feedback_conversion,
 *     efficiency, score, ci_low, ci_high.
 *   kpi_name(id), kpi_from_string(text), kpi_wilson(x, n, confidence) -> (low, high),
 *   kpi_t_quantile(p, df), kpi_normal_quantile(p); constants KPI_* (ids) and
 *   KPI_NO_TIME.
 * Failures raise (followup.Error subclasses in Python, error tables in Lua).
 *
 * Methods are written m_<name> and renamed (SWIG would name the helper of an
 * %extend method fu_kpi_<name>, colliding with the C API).
 */

%{
#include <math.h>
#include <stdlib.h>
#include <string.h>
%}


/* ------------------------------------------------------------ constants */
%constant int KPI_COVERAGE = FU_KPI_COVERAGE;
%constant int KPI_RESPONSE_TIMELINESS = FU_KPI_RESPONSE_TIMELINESS;
%constant int KPI_RESPONSE_P50 = FU_KPI_RESPONSE_P50;
%constant int KPI_RESPONSE_P90 = FU_KPI_RESPONSE_P90;
%constant int KPI_RESOLUTION = FU_KPI_RESOLUTION;
%constant int KPI_FIRST_CONTACT_RESOLUTION = FU_KPI_FIRST_CONTACT_RESOLUTION;
%constant int KPI_FEEDBACK_CLOSURE = FU_KPI_FEEDBACK_CLOSURE;
%constant int KPI_REPEAT_COMPLAINTS = FU_KPI_REPEAT_COMPLAINTS;
%constant int KPI_CSAT = FU_KPI_CSAT;
%constant int KPI_CSAT_TOP2 = FU_KPI_CSAT_TOP2;
%constant int KPI_NPS = FU_KPI_NPS;
%constant int KPI_CES = FU_KPI_CES;
%constant int KPI_COMMITMENT_ON_TIME = FU_KPI_COMMITMENT_ON_TIME;
%constant int KPI_OVER_CONTACT = FU_KPI_OVER_CONTACT;
%constant int KPI_FOLLOW_UP_COMPLAINTS = FU_KPI_FOLLOW_UP_COMPLAINTS;
%constant int KPI_WIN_BACK = FU_KPI_WIN_BACK;
%constant int KPI_REPURCHASE = FU_KPI_REPURCHASE;
%constant int KPI_CHURN = FU_KPI_CHURN;
%constant int KPI_ROI = FU_KPI_ROI;
%constant int KPI_SCORECARD = FU_KPI_SCORECARD;
%constant int KPI_QUALITY_CLOSURE = FU_KPI_QUALITY_CLOSURE;
%constant int KPI_BUDGET_OVERRUN = FU_KPI_BUDGET_OVERRUN;
%constant int KPI_REPURCHASE_UPLIFT = FU_KPI_REPURCHASE_UPLIFT;
%constant int KPI_VALUE_UPLIFT = FU_KPI_VALUE_UPLIFT;
%constant int KPI_ROI_INCREMENTAL = FU_KPI_ROI_INCREMENTAL;
%constant int KPI_COUNT = FU_KPI_COUNT;
%constant int64_t KPI_NO_TIME = FU_KPI_NO_TIME;

/* ------------------------------------------------------------ helpers */
%{
/* A figure copied out of an engine: owns its strings. */
typedef struct fu_swig_kpi_figure {
    char *kpi;
    char *group;
    char *period;
    double value;
    double ci_low;
    double ci_high;
    double n;
    double successes;
    double target;
    char *status;
    char *rule;
    int64_t period_start;
    int64_t period_end;
} fu_swig_kpi_figure;

static void fu_swig_kpi_figure_free(fu_swig_kpi_figure *f) {
    if (!f) return;
    free(f->kpi);
    free(f->group);
    free(f->period);
    free(f->status);
    free(f->rule);
    free(f);
}

static fu_swig_kpi_figure *fu_swig_kpi_figure_copy(const fu_kpi_figure *f) {
    fu_swig_kpi_figure *o = (fu_swig_kpi_figure *)calloc(1, sizeof *o);
    int failed = !o;
    if (o) {
        o->kpi = fu_swig_strdup(f->name, &failed);
        o->group = fu_swig_strdup(f->group, &failed);
        o->period = fu_swig_strdup(f->period, &failed);
        o->status = fu_swig_strdup(fu_kpi_status_name(f->status), &failed);
        o->rule = fu_swig_strdup(f->rule, &failed);
        o->value = f->value;
        o->ci_low = f->ci_low;
        o->ci_high = f->ci_high;
        o->n = f->n;
        o->successes = f->successes;
        o->target = f->target;
        o->period_start = f->period_start;
        o->period_end = f->period_end;
    }
    if (failed) {
        fu_swig_kpi_figure_free(o);
        fu_swig_nomem();
        return NULL;
    }
    return o;
}

typedef struct fu_swig_kpi_scorecard {
    char *agent;
    char *group;
    char *period;
    double satisfaction;
    double resolution;
    double feedback_conversion;
    double efficiency;
    double score;
    double ci_low;
    double ci_high;
} fu_swig_kpi_scorecard;

static void fu_swig_kpi_scorecard_free(fu_swig_kpi_scorecard *s) {
    if (!s) return;
    free(s->agent);
    free(s->group);
    free(s->period);
    free(s);
}

/* "phone=8,sms=0.1" into the options' contact costs. */
static int fu_swig_kpi_costs(const char *spec, fu_kpi_options *o) {
    const char *p = spec;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        fu_channel ch;
        char num[64];
        char *stop = NULL;
        size_t nlen = eq ? len - (size_t)(eq + 1 - p) : 0;
        if (!eq || nlen == 0 || nlen >= sizeof num ||
            fu_channel_from_string(p, (size_t)(eq - p), &ch) != FU_OK || ch == FU_CHANNEL_NONE) {
            fu_error_clear();
            return fu_error_set(FU_EINVAL, "costs: want CHANNEL=AMOUNT[,CHANNEL=AMOUNT...], e.g. \"phone=8,sms=0.1\" (at '%.*s')",
                                 (int)(len > 40 ? 40 : len), p);
        }
        memcpy(num, eq + 1, nlen);
        num[nlen] = '\0';
        double v = strtod(num, &stop);
        if (!stop || *stop || !(v >= 0) || !isfinite(v))
            return fu_error_set(FU_EINVAL, "costs: '%s' is not an amount >= 0", num);
        o->contact_cost[ch] = v;
        p = end ? end + 1 : NULL;
    }
    return FU_OK;
}

static fu_kpi *fu_swig_kpi_new(const fu_policy *policy, const char *period, const char *by, int64_t from,
                               int64_t to, int64_t as_of, const char *costs, double budget, bool derived_due) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    if (!policy) {
        fu_error_set(FU_EINVAL, "Kpi: policy is None/nil");
        return NULL;
    }
    if (period && fu_kpi_period_from_string(period, strlen(period), &o.period) != FU_OK) return NULL;
    if (by && fu_kpi_by_from_string(by, strlen(by), &o.by) != FU_OK) return NULL;
    if (costs && fu_swig_kpi_costs(costs, &o) != FU_OK) return NULL;
    o.from = from;
    o.to = to;
    o.as_of = as_of;
    o.budget = budget;
    if (!derived_due) o.flags |= FU_KPI_NO_DERIVED_DUE;
    fu_kpi *k = NULL;
    fu_kpi_new(&k, policy, &o);
    return k;
}

static const char *fu_swig_kpi_name(int id) {
    const char *s = fu_kpi_name(id);
    if (!s) fu_error_set(FU_EINVAL, "%d is not a KPI", id);
    return s;
}
static int fu_swig_kpi_from_string(const char *text, size_t len) {
    fu_kpi_id id = FU_KPI_COVERAGE;
    fu_kpi_from_string(text, len, &id);
    return (int)id;
}
static void fu_swig_kpi_wilson(double x, double n, double confidence, double *low_out, double *high_out) {
    fu_kpi_wilson(x, n, confidence, low_out, high_out);
}
static void fu_swig_kpi_t_quantile(double p, double df, double *out) { fu_kpi_t_quantile(p, df, out); }
static void fu_swig_kpi_normal_quantile(double p, double *out) { fu_kpi_normal_quantile(p, out); }

#ifdef SWIGPYTHON
/* The figures as columns {name: list}, built with the GIL held (the
 * wrapper is %nothread): one call for any number of figures. */
static PyObject *fu_py_kpi_columns(const fu_kpi *k) {
    static const char *const names[] = {"kpi", "group", "period", "value", "ci_low", "ci_high", "n",
                                        "target", "status", "rule", "successes", "period_start", "period_end"};
    enum { NCOL = 13 };
    size_t n = 0;
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    PyObject *cols[NCOL] = {NULL};
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    for (int c = 0; c < NCOL; c++) {
        cols[c] = PyList_New((Py_ssize_t)n);
        if (!cols[c] || PyDict_SetItemString(d, names[c], cols[c]) < 0) goto fail;
        Py_DECREF(cols[c]); /* the dict holds it */
    }
    for (size_t i = 0; i < n; i++) {
        const fu_kpi_figure *x = &f[i];
        PyObject *v[NCOL] = {PyUnicode_FromString(x->name), PyUnicode_FromString(x->group),
                             PyUnicode_FromString(x->period), PyFloat_FromDouble(x->value),
                             PyFloat_FromDouble(x->ci_low), PyFloat_FromDouble(x->ci_high),
                             PyFloat_FromDouble(x->n), PyFloat_FromDouble(x->target),
                             PyUnicode_FromString(fu_kpi_status_name(x->status)), PyUnicode_FromString(x->rule),
                             PyFloat_FromDouble(x->successes), PyLong_FromLongLong((long long)x->period_start),
                             PyLong_FromLongLong((long long)x->period_end)};
        int bad = 0;
        for (int c = 0; c < NCOL; c++) {
            if (!v[c]) bad = 1;
            else PyList_SET_ITEM(cols[c], (Py_ssize_t)i, v[c]); /* steals */
        }
        if (bad) {
            /* the list slots still NULL are fine for deallocation */
            goto fail;
        }
    }
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}
#endif
%}

FU_RAISES(fu_swig_kpi_name)
FU_RAISES(fu_swig_kpi_from_string)
FU_RAISES(fu_swig_kpi_wilson)
FU_RAISES(fu_swig_kpi_t_quantile)
FU_RAISES(fu_swig_kpi_normal_quantile)
%rename(kpi_name) fu_swig_kpi_name;
%rename(kpi_from_string) fu_swig_kpi_from_string;
%rename(kpi_wilson) fu_swig_kpi_wilson;
%rename(kpi_t_quantile) fu_swig_kpi_t_quantile;
%rename(kpi_normal_quantile) fu_swig_kpi_normal_quantile;
%apply double *out { double *low_out, double *high_out };
const char *fu_swig_kpi_name(int id);
int fu_swig_kpi_from_string(const char *text, size_t len);
void fu_swig_kpi_wilson(double x, double n, double confidence, double *low_out, double *high_out);
void fu_swig_kpi_t_quantile(double p, double df, double *out);
void fu_swig_kpi_normal_quantile(double p, double *out);

/* ------------------------------------------------------------ records */
%rename(KpiFigure) fu_swig_kpi_figure;
%immutable;
typedef struct fu_swig_kpi_figure {
    char *kpi;             /* "coverage" */
    char *group;           /* "all", "vip/A17" */
    char *period;          /* "2026-W02" */
    double value;
    double ci_low;         /* nan when there is no interval */
    double ci_high;
    double n;
    double successes;      /* proportions: the successes; nan otherwise */
    double target;         /* nan without a target */
    char *status;          /* "green", "yellow", "red", "none" */
    char *rule;            /* "kpis.csat.vip"; "" without a target */
    int64_t period_start;  /* UTC seconds, inclusive */
    int64_t period_end;    /* exclusive */
} fu_swig_kpi_figure;
%mutable;
%extend fu_swig_kpi_figure {
    ~fu_swig_kpi_figure() { fu_swig_kpi_figure_free($self); }
}

%rename(KpiScorecard) fu_swig_kpi_scorecard;
%immutable;
typedef struct fu_swig_kpi_scorecard {
    char *agent;
    char *group;
    char *period;
    double satisfaction;        /* nan without CSAT answers */
    double resolution;
    double feedback_conversion;
    double efficiency;
    double score;
    double ci_low;
    double ci_high;
} fu_swig_kpi_scorecard;
%mutable;
%extend fu_swig_kpi_scorecard {
    ~fu_swig_kpi_scorecard() { fu_swig_kpi_scorecard_free($self); }
}

/* ------------------------------------------------------------ the engine */
#ifdef SWIGLUA
/* The engine's user value is the table {policy, book, ...}: the policy
 * (argument 1 of the constructor) and every book given to add_book, which
 * the engine borrows (the argout typemap below). The order of the frees
 * when Lua finalizes both (in reverse order of creation, whatever refers to
 * what) is settled in idioms.lua: a borrowed book's __gc waits for its
 * borrowers. The typemap comes before the typedef, as SWIG matches it there. */
%typemap(out) struct fu_kpi * {
    SWIG_NewPointerObj(L, $1, $descriptor(struct fu_kpi *), $owner); SWIG_arg++;
    if ($1) {
        lua_createtable(L, 2, 0);
        if (lua_isuserdata(L, 1)) {
            lua_pushvalue(L, 1);
            lua_rawseti(L, -2, 1);
        }
        lua_setiuservalue(L, -2, 1);
    }
}
%typemap(argout) const fu_book *book {
    if (lua_getiuservalue(L, 1, 1) == LUA_TTABLE) {
        lua_pushvalue(L, $input);
        lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    }
    lua_pop(L, 1);
}
#endif
%{
typedef struct fu_swig_blob {
    char *p;
    size_t n;
} fu_swig_blob;
%}
typedef struct fu_swig_blob fu_swig_blob;
#ifdef SWIGPYTHON
%typemap(out) fu_swig_blob {
    $result = $1.p ? PyBytes_FromStringAndSize($1.p, (Py_ssize_t)$1.n) : NULL;
    fu_free($1.p);
    if (!$result) SWIG_fail;
}
#endif
#ifdef SWIGLUA
%typemap(out) fu_swig_blob {
    if ($1.p) lua_pushlstring(L, $1.p, $1.n);
    else lua_pushnil(L);
    fu_free($1.p);
    SWIG_arg++;
}
#endif
#ifdef SWIGLUA
/* kpi:set_segments{C1 = "gold", C2 = "silver"}: a table of customer id =
 * label, given to fu_kpi_set_segments() in one call (all or nothing). The
 * pointers are the table's own strings, alive while the call runs. */
%{
typedef struct fu_swig_kpi_segs {
    const char **v; /* ids, then labels */
    size_t n;
} fu_swig_kpi_segs;

static int fu_lua_kpi_segs_fail(lua_State *L, const char *what) {
    fu_error_set(FU_EINVAL, "Kpi:set_segments: argument 1 (segments): %s", what);
    lua_pop(L, 2);
    return FU_EINVAL;
}

/* The table at idx as ids then labels in out->v (malloc'd); FU_OK, or an
 * error set naming the entry. */
static int fu_lua_kpi_segs(lua_State *L, int idx, fu_swig_kpi_segs *out) {
    size_t n = 0, i = 0;
    char what[160];
    idx = lua_absindex(L, idx);
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) n++;
    out->v = (const char **)malloc((n ? 2 * n : 1) * sizeof *out->v);
    if (!out->v) return fu_swig_nomem();
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1), i++) {
        size_t klen = 0, vlen = 0;
        if (lua_type(L, -2) != LUA_TSTRING) {
            snprintf(what, sizeof what, "a key is %s, not a customer id (expected a table of id = label)",
                     luaL_typename(L, -2));
            return fu_lua_kpi_segs_fail(L, what);
        }
        const char *id = lua_tolstring(L, -2, &klen);
        if (lua_type(L, -1) != LUA_TSTRING) {
            snprintf(what, sizeof what, "the label of '%.60s' must be a string, not %s", id, luaL_typename(L, -1));
            return fu_lua_kpi_segs_fail(L, what);
        }
        const char *label = lua_tolstring(L, -1, &vlen);
        if (!klen) return fu_lua_kpi_segs_fail(L, "an empty customer id");
        if (memchr(id, '\0', klen) || memchr(label, '\0', vlen)) {
            snprintf(what, sizeof what, "the entry of '%.60s' contains a NUL character (refused rather than cut short)",
                     id);
            return fu_lua_kpi_segs_fail(L, what);
        }
        out->v[i] = id;
        out->v[n + i] = label;
    }
    out->n = n;
    return FU_OK;
}
%}
typedef struct fu_swig_kpi_segs fu_swig_kpi_segs;
%typemap(in, checkfn="lua_istable") const fu_swig_kpi_segs *segments (fu_swig_kpi_segs tmp = {NULL, 0}) {
    if (fu_lua_kpi_segs(L, $input, &tmp)) {
        free((void *)tmp.v);
        tmp.v = NULL;
        fu_lua_push_error(L, fu_error_last()->code);
        SWIG_fail;
    }
    $1 = &tmp;
}
%typemap(freearg) const fu_swig_kpi_segs *segments { free((void *)tmp$argnum.v); }
FU_RAISES(fu_kpi::m_set_segments)
%rename(set_segments) fu_kpi::m_set_segments;
#endif
%rename(Kpi) fu_kpi;
typedef struct fu_kpi {} fu_kpi;

%newobject fu_kpi::m_figure;
%newobject fu_kpi::m_find;
%newobject fu_kpi::m_scorecard;
%newobject fu_kpi::m_csv;
%newobject fu_kpi::m_json;
%newobject fu_kpi::m_dashboard;
%typemap(newfree) char *m_csv "fu_free($1);";
%typemap(newfree) char *m_json "fu_free($1);";
%typemap(newfree) char *m_dashboard "fu_free($1);";
FU_RAISES(fu_kpi::fu_kpi)
FU_RAISES(fu_kpi::m_add_book)
FU_RAISES(fu_kpi::m_add_customer)
FU_RAISES(fu_kpi::m_add_event)
FU_RAISES(fu_kpi::m_add_due)
FU_RAISES(fu_kpi::m_add_commitment)
FU_RAISES(fu_kpi::m_add_ledger)
FU_RAISES(fu_kpi::m_set_segment)
FU_RAISES(fu_kpi::m_read_segments_csv)
FU_RAISES(fu_kpi::m_compute)
FU_RAISES(fu_kpi::m_figure)
FU_RAISES(fu_kpi::m_find)
FU_RAISES(fu_kpi::m_scorecard_count)
FU_RAISES(fu_kpi::m_scorecard)
FU_RAISES(fu_kpi::m_csv)
FU_RAISES(fu_kpi::m_json)
FU_RAISES(fu_kpi::m_dashboard)
FU_RAISES(fu_kpi::m_partial)
FU_RAISES(fu_kpi::m_merge)
%rename(partial) fu_kpi::m_partial;
%rename(merge) fu_kpi::m_merge;
/* partial(): the blob out as bytes (Python) or a string (Lua); merge()
 * takes bytes (Python) or a string (Lua) through the (bytes, nbytes) typemaps
 * of bindings/python and bindings/lua. */
%rename(add_book) fu_kpi::m_add_book;
%rename(add_customer) fu_kpi::m_add_customer;
%rename(add_event) fu_kpi::m_add_event;
%rename(add_due) fu_kpi::m_add_due;
%rename(add_commitment) fu_kpi::m_add_commitment;
%rename(add_ledger) fu_kpi::m_add_ledger;
%rename(set_segment) fu_kpi::m_set_segment;
%rename(read_segments_csv) fu_kpi::m_read_segments_csv;
%rename(compute) fu_kpi::m_compute;
%rename(count) fu_kpi::m_count;
%rename(figure) fu_kpi::m_figure;
%rename(find) fu_kpi::m_find;
%rename(scorecard_count) fu_kpi::m_scorecard_count;
%rename(scorecard) fu_kpi::m_scorecard;
%rename(csv) fu_kpi::m_csv;
%rename(json) fu_kpi::m_json;
%rename(dashboard) fu_kpi::m_dashboard;

#ifdef SWIGPYTHON
%feature("kwargs") fu_kpi::fu_kpi;
%feature("kwargs") fu_kpi::m_add_customer;
%feature("kwargs") fu_kpi::m_add_event;
%feature("kwargs") fu_kpi::m_add_due;
%feature("kwargs") fu_kpi::m_add_commitment;
%feature("kwargs") fu_kpi::m_find;
/* The engine borrows the policy: keep the Python object alive. costs may
 * also be a dict {"phone": 8, "sms": 0.1}. */
%pythonprepend fu_kpi::fu_kpi %{
    if isinstance(kwargs.get("costs"), dict):
        kwargs["costs"] = ",".join(f"{ch}={amount}" for ch, amount in kwargs["costs"].items())
%}
%pythonappend fu_kpi::fu_kpi %{
    self._policy = args[0] if args else kwargs.get("policy")
    self._options = (str((args[1] if len(args) > 1 else kwargs.get("period")) or "week").lower(),  # None: default
                     str((args[2] if len(args) > 2 else kwargs.get("by")) or "none").lower())
%}
/* The engine borrows the first book given to add_book (the book refuses
 * changes while the engine lives): keep the Python object alive. */
%feature("kwargs") fu_kpi::m_add_book;
%pythonappend fu_kpi::m_add_book %{
    self._books = getattr(self, "_books", ()) + (book,)
%}
#endif

%extend fu_kpi {
    fu_kpi(const fu_policy *policy, const char *period = "week", const char *by = "none",
           int64_t from_ = FU_KPI_NO_TIME, int64_t to = FU_KPI_NO_TIME, int64_t as_of = FU_KPI_NO_TIME,
           const char *costs = NULL, double budget = 0.0, bool derived_due = true) {
        return fu_swig_kpi_new(policy, period, by, from_, to, as_of, costs, budget, derived_due);
    }
    ~fu_kpi() { fu_kpi_free($self); }

    void m_add_book(const fu_book *book) { fu_kpi_add_book($self, book); }

    void m_add_customer(const char *id, double annual_spend = NAN, int64_t first_purchase_at = FU_KPI_NO_TIME) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = id;
        c.annual_spend = annual_spend;
        c.first_purchase_at = first_purchase_at == FU_KPI_NO_TIME ? FU_BOOK_NO_TIME : first_purchase_at;
        fu_kpi_add_customers($self, &c, 1);
    }

    void m_add_event(const char *customer_id, int64_t at, int kind, const char *order_id = NULL,
                     const char *product_class = NULL, double unit_price = NAN, double amount = NAN,
                     int severity = 0, int channel = 0, const char *agent_id = NULL, int outcome = 0,
                     double score = NAN, int survey = 0) {
        fu_event_in e;
        fu_event_in_init(&e);
        e.customer_id = customer_id;
        e.at = at;
        e.kind = (fu_event_kind)kind;
        e.order_id = order_id;
        e.product_class = product_class;
        e.unit_price = unit_price;
        e.amount = amount;
        e.severity = (fu_severity)severity;
        e.channel = (fu_channel)channel;
        e.agent_id = agent_id;
        e.outcome = (fu_outcome)outcome;
        e.score = score;
        e.survey = (fu_survey)survey;
        fu_kpi_add_events($self, &e, 1);
    }

    void m_add_due(const char *customer_id, int64_t due_to, int64_t due_from = FU_KPI_NO_TIME,
                   const char *agent_id = NULL) {
        fu_kpi_due d = {customer_id, due_from, due_to, agent_id};
        fu_kpi_add_due($self, &d, 1);
    }

    void m_add_commitment(const char *customer_id, int64_t deadline, int state,
                          int64_t closed_at = FU_KPI_NO_TIME, const char *created_by = NULL) {
        fu_commitment c;
        memset(&c, 0, sizeof c);
        c.customer_id = customer_id;
        c.deadline = deadline;
        c.state = (fu_commit_state)state;
        c.closed_at = closed_at == FU_KPI_NO_TIME ? FU_COMMIT_NO_TIME : closed_at;
        c.created_by = created_by;
        fu_kpi_add_commitments($self, &c, 1);
    }

    void m_add_ledger(fu_ledger *ledger) { fu_kpi_add_ledger($self, ledger); }

    void m_set_segment(const char *customer_id, const char *label) {
        fu_kpi_set_segments($self, &customer_id, &label, 1);
    }

    void m_read_segments_csv(const char *path) { fu_kpi_read_segments_csv($self, path); }
#ifdef SWIGLUA
    void m_set_segments(const fu_swig_kpi_segs *segments) {
        fu_kpi_set_segments($self, segments->v, segments->n ? segments->v + segments->n : NULL, segments->n);
    }
#endif

    fu_swig_blob m_partial() {
        fu_swig_blob b = {NULL, 0};
        void *p = NULL;
        if (fu_kpi_partial_write($self, &b.n, &p) == FU_OK) b.p = p;
        return b;
    }
    void m_merge(const char *bytes, size_t nbytes) { fu_kpi_merge_partial($self, bytes, nbytes); }

    size_t m_compute() {
        size_t n = 0;
        fu_kpi_compute($self, &n);
        return n;
    }

    size_t m_count() {
        size_t n = 0;
        fu_kpi_figures($self, &n);
        return n;
    }

    fu_swig_kpi_figure *m_figure(size_t i) {
        const fu_kpi_figure *f = fu_kpi_figure_get($self, i);
        if (!f) {
            size_t n = 0;
            fu_kpi_figures($self, &n);
            fu_error_set(FU_EINVAL, "no figure %lu (there are %lu; call compute() first)", (unsigned long)i,
                          (unsigned long)n);
            return NULL;
        }
        return fu_swig_kpi_figure_copy(f);
    }

    /* The figure of a KPI (name or id) in a period (None: the latest) and
     * group (None: "all"); None when there is none. */
    fu_swig_kpi_figure *m_find(const char *kpi, const char *period = NULL, const char *group = NULL) {
        fu_kpi_id id;
        if (!kpi) { /* None / nil: an error, not strlen(NULL) (review s12 U4) */
            fu_error_set(FU_EINVAL, "fu_kpi_find: the KPI name is required (NULL given)");
            return NULL;
        }
        if (fu_kpi_from_string(kpi, strlen(kpi), &id) != FU_OK) return NULL;
        const fu_kpi_figure *f = fu_kpi_find($self, id, period, group);
        return f ? fu_swig_kpi_figure_copy(f) : NULL;
    }

    size_t m_scorecard_count() {
        const fu_kpi_scorecard *rows = NULL;
        size_t n = 0;
        fu_kpi_scorecards($self, &rows, &n);
        return n;
    }

    fu_swig_kpi_scorecard *m_scorecard(size_t i) {
        const fu_kpi_scorecard *rows = NULL;
        size_t n = 0;
        if (fu_kpi_scorecards($self, &rows, &n) != FU_OK) return NULL;
        if (i >= n) {
            fu_error_set(FU_EINVAL, "no scorecard %lu (there are %lu)", (unsigned long)i, (unsigned long)n);
            return NULL;
        }
        const fu_kpi_scorecard *s = &rows[i];
        fu_swig_kpi_scorecard *o = (fu_swig_kpi_scorecard *)calloc(1, sizeof *o);
        int failed = !o;
        if (o) {
            o->agent = fu_swig_strdup(s->agent, &failed);
            o->group = fu_swig_strdup(s->group, &failed);
            o->period = fu_swig_strdup(s->period, &failed);
            o->satisfaction = s->satisfaction;
            o->resolution = s->resolution;
            o->feedback_conversion = s->feedback_conversion;
            o->efficiency = s->efficiency;
            o->score = s->score;
            o->ci_low = s->ci_low;
            o->ci_high = s->ci_high;
        }
        if (failed) {
            fu_swig_kpi_scorecard_free(o);
            fu_swig_nomem();
            return NULL;
        }
        return o;
    }

    char *m_csv() {
        char *s = NULL;
        fu_kpi_write_csv_to_string($self, NULL, &s);
        return s;
    }
    char *m_json() {
        char *s = NULL;
        fu_kpi_write_json_to_string($self, NULL, &s);
        return s;
    }
    char *m_dashboard() {
        char *s = NULL;
        fu_kpi_write_dashboard_to_string($self, NULL, &s);
        return s;
    }
}
#ifdef SWIGLUA
%typemap(argout) const fu_book *book; /* only add_book keeps its book */
#endif

#ifdef SWIGPYTHON
%nothread fu_kpi::m_columns;
FU_PY_LOCKED_NOTHREAD(fu_kpi::m_columns) /* bindings/python/followup.i */
%rename(_columns) fu_kpi::m_columns;
%extend fu_kpi {
    PyObject *m_columns() { return fu_py_kpi_columns($self); }
%pythoncode %{
    def figures(self):
        """The figures of the last compute() as KpiFigure records."""
        return [self.figure(i) for i in range(self.count())]

    def scorecards(self):
        """The agent scorecards of the last compute() (grouping by agent)."""
        return [self.scorecard(i) for i in range(self.scorecard_count())]

    def records(self):
        """The figures as a list of dicts with the CSV's fields (plus
        successes, period_start, period_end); NaN where a figure has none."""
        cols = self._columns()
        names = list(cols)
        return [dict(zip(names, row)) for row in zip(*(cols[c] for c in names))]

    def to_dataframe(self):
        """The figures as a pandas DataFrame (columns kpi, group, period,
        value, ci_low, ci_high, n, target, status, rule, successes,
        period_start, period_end) when pandas is installed, else records()."""
        try:
            import pandas as pd
        except ImportError:
            return self.records()
        return pd.DataFrame(self._columns())
%}
}
#endif

/* The HTML dashboard (fu_kpi_write_html_to_string): Kpi.to_html(breakdown=None,
 * title=None, min_n=5, trend_periods=12) -> str; breakdown is another computed
 * Kpi (e.g. grouped by "tier,agent") for the breakdown table. */
%newobject fu_kpi::m_to_html;
%typemap(newfree) char *m_to_html "fu_free($1);";
FU_RAISES(fu_kpi::m_to_html)
%rename(to_html) fu_kpi::m_to_html;
#ifdef SWIGPYTHON
%feature("kwargs") fu_kpi::m_to_html;
#endif
%extend fu_kpi {
    char *m_to_html(const fu_kpi *breakdown = NULL, const char *title = NULL, double min_n = 5.0,
                    size_t trend_periods = 12) {
        fu_kpi_html_options o = FU_KPI_HTML_OPTIONS_INIT;
        char *s = NULL;
        o.title = title;
        o.min_n = min_n;
        o.trend_periods = trend_periods;
        fu_kpi_write_html_to_string($self, breakdown, &o, NULL, &s);
        return s;
    }
}
