/* SWIG interface of the capacity pass over partitions
 * (include/followup/capacity.h, docs/scaling.md).
 *
 *   capacity_items(plan) -> bytes      the plan's planned agent contacts as
 *       packed fu_capacity_item records of CAPACITY_ITEM_SIZE (40) bytes,
 *       native byte order: best_at i8, due_to i8, customer u8, row u4,
 *       priority i4, part u4, deferred u4 (numpy: followup.CAPACITY_DTYPE)
 *   capacity_pass(policy, items, agents, calls_per_agent=0) -> bytes
 *       the pass over the items of all partitions (bytes, the records above
 *       concatenated, `customer` set to the whole book's customer index):
 *       a copy with deferred and best_at set
 *   apply_capacity(plan, items)       the plan's own records after the pass
 *       (deferred ones become deferred touchpoints); once per plan
 *
 * The plan of a Planner with agents=0 is the input; apply_capacity changes
 * the plan in place (do it before the plan is shared between threads).
 */

%{
#include <stdlib.h>
#include <string.h>
typedef struct fu_swig_capblob {
    char *v;
    size_t n;
} fu_swig_capblob;

/* The bytes of a records argument: a whole number of records. */
static int fu_swig_cap_check(size_t nbytes) {
    if (nbytes % sizeof(fu_capacity_item))
        return fu_error_set(FU_EINVAL, "capacity items: %lu bytes is not a multiple of the record size %lu",
                             (unsigned long)nbytes, (unsigned long)sizeof(fu_capacity_item));
    return FU_OK;
}

static int fu_swig_capacity_items(const fu_plan *plan, fu_swig_capblob *CAPOUT) {
    fu_capacity_item *v = NULL;
    size_t n = 0;
    int rc = fu_plan_capacity_items(plan, &v, &n);
    if (rc) return rc;
    CAPOUT->n = n * sizeof *v;
    CAPOUT->v = (char *)malloc(CAPOUT->n ? CAPOUT->n : 1); /* freed with free() like the others */
    if (CAPOUT->v && CAPOUT->n) memcpy(CAPOUT->v, v, CAPOUT->n);
    fu_free(v);
    return CAPOUT->v ? FU_OK : fu_error_set(FU_ENOMEM, "out of memory");
}

static int fu_swig_capacity_pass(fu_swig_capblob *CAPOUT, const fu_policy *policy, const char *bytes, size_t nbytes,
                                 unsigned int agents, unsigned int calls_per_agent) {
    int rc = fu_swig_cap_check(nbytes);
    if (rc) return rc;
    if (!nbytes) return FU_OK;
    fu_capacity_item *v = (fu_capacity_item *)malloc(nbytes);
    if (!v) return fu_error_set(FU_ENOMEM, "out of memory");
    memcpy(v, bytes, nbytes);
    rc = fu_capacity_pass(policy, agents, calls_per_agent, v, nbytes / sizeof *v, NULL);
    if (rc) {
        free(v);
        return rc;
    }
    CAPOUT->v = (char *)v;
    CAPOUT->n = nbytes;
    return FU_OK;
}

static int fu_swig_apply_capacity(fu_plan *plan, const char *bytes, size_t nbytes) {
    int rc = fu_swig_cap_check(nbytes);
    if (rc || !nbytes) return rc;
    fu_capacity_item *v = (fu_capacity_item *)malloc(nbytes); /* aligned copy */
    if (!v) return fu_error_set(FU_ENOMEM, "out of memory");
    memcpy(v, bytes, nbytes);
    rc = fu_plan_apply_capacity(plan, v, nbytes / sizeof *v);
    free(v);
    return rc;
}
%}

%typemap(in, numinputs=0) fu_swig_capblob *CAPOUT (fu_swig_capblob tmp) "tmp.v = NULL; tmp.n = 0; $1 = &tmp;"
#ifdef SWIGPYTHON
%typemap(argout) fu_swig_capblob *CAPOUT {
    PyObject *b = PyBytes_FromStringAndSize($1->v ? $1->v : "", (Py_ssize_t)$1->n);
    if (!b) SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, b);
}
#endif
#ifdef SWIGLUA
%typemap(argout) fu_swig_capblob *CAPOUT {
    lua_pushlstring(L, $1->v ? $1->v : "", $1->n);
    SWIG_arg++;
}
#endif
%typemap(freearg) fu_swig_capblob *CAPOUT { free($1->v); }

%constant int CAPACITY_ITEM_SIZE = sizeof(fu_capacity_item);

FU_FALLIBLE(fu_swig_capacity_items)
FU_FALLIBLE(fu_swig_capacity_pass)
FU_FALLIBLE(fu_swig_apply_capacity)
%rename(capacity_items) fu_swig_capacity_items;
%rename(capacity_pass) fu_swig_capacity_pass;
%rename(apply_capacity) fu_swig_apply_capacity;
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_capacity_pass;
#endif
int fu_swig_capacity_items(const fu_plan *plan, fu_swig_capblob *CAPOUT);
int fu_swig_capacity_pass(fu_swig_capblob *CAPOUT, const fu_policy *policy, const char *bytes, size_t nbytes,
                          unsigned int agents, unsigned int calls_per_agent = 0);
int fu_swig_apply_capacity(fu_plan *plan, const char *bytes, size_t nbytes);

/* ---- the rounds over several days (capacity.h "the rounds"):
 *   capacity_round(policy, items, agents, calls_per_agent=0, day=CAPACITY_DAY_NONE)
 *       -> (bytes, day, over)   [Python: day=None; over 0: the rounds are done]
 *   Python: CapacityPart(planner, now, horizon=86400), a partition's open plan
 *     (followup/_methods.py over the _calls below): items() -> bytes;
 *     move(items, day) -> bytes; plan(items) -> Plan
 *   Lua: capacity_part(planner, now, horizon=86400) and capacity_part_items(part),
 *     capacity_part_move(part, items, day), capacity_part_plan(part, items)  ---- */
%{
static int fu_swig_capacity_round(fu_swig_capblob *CAPOUT, int64_t *out, size_t *over_out, const fu_policy *policy,
                                  const char *bytes, size_t nbytes, unsigned int agents, unsigned int calls_per_agent,
                                  int64_t day) {
    int rc = fu_swig_cap_check(nbytes);
    size_t over = 0;
    *out = day;
    *over_out = 0;
    if (rc) return rc;
    fu_capacity_item *v = (fu_capacity_item *)malloc(nbytes ? nbytes : 1);
    if (!v) return fu_error_set(FU_ENOMEM, "out of memory");
    if (nbytes) memcpy(v, bytes, nbytes);
    rc = fu_capacity_round(policy, agents, calls_per_agent, v, nbytes / sizeof *v, out, &over);
    if (rc) {
        free(v);
        return rc;
    }
    CAPOUT->v = (char *)v;
    CAPOUT->n = nbytes;
    *over_out = over;
    return FU_OK;
}

static fu_capacity_part *fu_swig_capacity_part_new(fu_planner *planner, int64_t now, int64_t horizon) {
    fu_capacity_part *p = NULL;
    fu_capacity_part_new(planner, now, horizon, &p);
    return p;
}

static int fu_swig_capacity_part_items(const fu_capacity_part *part, fu_swig_capblob *CAPOUT) {
    fu_capacity_item *v = NULL;
    size_t n = 0;
    int rc = fu_capacity_part_items(part, &v, &n);
    if (rc) return rc;
    CAPOUT->n = n * sizeof *v;
    CAPOUT->v = (char *)malloc(CAPOUT->n ? CAPOUT->n : 1);
    if (CAPOUT->v && CAPOUT->n) memcpy(CAPOUT->v, v, CAPOUT->n);
    fu_free(v);
    return CAPOUT->v ? FU_OK : fu_error_set(FU_ENOMEM, "out of memory");
}

static int fu_swig_capacity_part_move(fu_swig_capblob *CAPOUT, fu_capacity_part *part, const char *bytes,
                                      size_t nbytes, int64_t day) {
    int rc = fu_swig_cap_check(nbytes);
    if (rc) return rc;
    fu_capacity_item *v = (fu_capacity_item *)malloc(nbytes ? nbytes : 1);
    if (!v) return fu_error_set(FU_ENOMEM, "out of memory");
    if (nbytes) memcpy(v, bytes, nbytes);
    rc = fu_capacity_part_move(part, day, v, nbytes / sizeof *v);
    if (rc) {
        free(v);
        return rc;
    }
    CAPOUT->v = (char *)v;
    CAPOUT->n = nbytes;
    return FU_OK;
}

static struct fu_plan *fu_swig_capacity_part_plan(fu_capacity_part *part, const char *bytes, size_t nbytes) {
    fu_plan *p = NULL;
    if (fu_swig_cap_check(nbytes)) return NULL;
    fu_capacity_item *v = (fu_capacity_item *)malloc(nbytes ? nbytes : 1); /* aligned copy */
    if (!v) {
        fu_swig_nomem();
        return NULL;
    }
    if (nbytes) memcpy(v, bytes, nbytes);
    fu_capacity_part_plan(part, v, nbytes / sizeof *v, &p);
    free(v);
    return p;
}
%}

%constant int64_t CAPACITY_DAY_NONE = FU_CAPACITY_DAY_NONE;
%constant int CAPACITY_PLANNED = FU_CAPACITY_PLANNED;
%constant int CAPACITY_DEFERRED = FU_CAPACITY_DEFERRED;
%constant int CAPACITY_OVER = FU_CAPACITY_OVER;
%constant int CAPACITY_MOVED = FU_CAPACITY_MOVED;
%constant int CAPACITY_ROLLED = FU_CAPACITY_ROLLED;

#ifdef SWIGLUA
/* A part plans with its planner (argument 1): it keeps it alive, with the
 * planner's {policy, book} (planner.i), in a table {policy, book, planner}. A
 * plan of the part borrows {policy, book} only, as a planner's plan does. */
%typemap(out) fu_capacity_part * {
    SWIG_NewPointerObj(L, $1, $descriptor(fu_capacity_part *), $owner); SWIG_arg++;
    if ($1) {
        lua_createtable(L, 3, 0);
        lua_getiuservalue(L, 1, 1);
        for (int k = 1; k <= 2; k++) {
            lua_rawgeti(L, -1, k);
            lua_rawseti(L, -3, k);
        }
        lua_pop(L, 1);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 3);
        lua_setiuservalue(L, -2, 1);
    }
}
%typemap(out) struct fu_plan *fu_swig_capacity_part_plan {
    SWIG_NewPointerObj(L, $1, $descriptor(struct fu_plan *), $owner); SWIG_arg++;
    if ($1 && lua_isuserdata(L, 1)) {
        lua_createtable(L, 2, 0);
        lua_getiuservalue(L, 1, 1);
        for (int k = 1; k <= 2; k++) {
            lua_rawgeti(L, -1, k);
            lua_rawseti(L, -3, k);
        }
        lua_pop(L, 1);
        lua_setiuservalue(L, -2, 1);
    }
}
#endif
%rename(_CapacityPart) fu_capacity_part;
%nodefaultctor fu_capacity_part;
%nodefaultdtor fu_capacity_part;
typedef struct fu_capacity_part {} fu_capacity_part;
%extend fu_capacity_part {
    ~fu_capacity_part() { fu_capacity_part_free($self); }
}

FU_FALLIBLE(fu_swig_capacity_round)
FU_FALLIBLE(fu_swig_capacity_part_items)
FU_FALLIBLE(fu_swig_capacity_part_move)
FU_RAISES(fu_swig_capacity_part_new)
FU_RAISES(fu_swig_capacity_part_plan)
%newobject fu_swig_capacity_part_new;
%newobject fu_swig_capacity_part_plan;
#ifdef SWIGPYTHON
%rename(_capacity_round) fu_swig_capacity_round;
%rename(_capacity_part_new) fu_swig_capacity_part_new;
%rename(_capacity_part_items) fu_swig_capacity_part_items;
%rename(_capacity_part_move) fu_swig_capacity_part_move;
%rename(_capacity_part_plan) fu_swig_capacity_part_plan;
#else
%rename(capacity_round) fu_swig_capacity_round;
%rename(capacity_part) fu_swig_capacity_part_new;
%rename(capacity_part_items) fu_swig_capacity_part_items;
%rename(capacity_part_move) fu_swig_capacity_part_move;
%rename(capacity_part_plan) fu_swig_capacity_part_plan;
#endif
%apply size_t *out { size_t *over_out };  /* the third value returned (review s12 L7: Lua dropped it) */
int fu_swig_capacity_round(fu_swig_capblob *CAPOUT, int64_t *out, size_t *over_out, const fu_policy *policy,
                           const char *bytes, size_t nbytes, unsigned int agents, unsigned int calls_per_agent = 0,
                           int64_t day = FU_CAPACITY_DAY_NONE);
%clear size_t *over_out;
fu_capacity_part *fu_swig_capacity_part_new(fu_planner *planner, int64_t now, int64_t horizon = 86400);
int fu_swig_capacity_part_items(const fu_capacity_part *part, fu_swig_capblob *CAPOUT);
int fu_swig_capacity_part_move(fu_swig_capblob *CAPOUT, fu_capacity_part *part, const char *bytes, size_t nbytes,
                               int64_t day);
struct fu_plan *fu_swig_capacity_part_plan(fu_capacity_part *part, const char *bytes, size_t nbytes);

#ifdef SWIGPYTHON
%pythoncode %{
def _capacity_dtype():
    try:
        import numpy as _np
    except ImportError:  # numpy is optional for the binding
        return None
    return _np.dtype([("best_at", "=i8"), ("due_to", "=i8"), ("customer", "=u8"), ("row", "=u4"),
                      ("priority", "=i4"), ("part", "=u4"), ("deferred", "=u4")])


CAPACITY_DTYPE = _capacity_dtype()
%}
#endif
