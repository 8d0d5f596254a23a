/* Lua 5.4 binding of libfollowup: `local followup = require "followup"`.
 * Integers cross as Lua integers (not floats); a failing call raises a Lua
 * error whose value is a table {code, name, message, source, line, column,
 * path} with a __tostring metamethod. */
%module followup

%{
#include "followup.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

static const char *fu_lua_error_name(int code) {
    switch (code) {
    case FU_ENOMEM: return "NoMemoryError";
    case FU_EINVAL: return "InvalidArgumentError";
    case FU_EPARSE: return "ParseError";
    case FU_EPOLICY: return "PolicyError";
    case FU_ENOTFOUND: return "NotFoundError";
    case FU_EIO: return "InputOutputError";
    case FU_ERANGE: return "RangeError";
    case FU_ETIMEZONE: return "TimeZoneError";
    case FU_ESTATE: return "StateError";
    case FU_EDB: return "StorageError";
    case FU_ECONVERGE: return "ConvergenceError";
    case FU_ELIMIT: return "LimitError";
    case FU_EEXISTS: return "ExistsError";
    case FU_ECANCELED: return "CanceledError";
    default: return "Error";
    }
}

static int fu_lua_error_tostring(lua_State *L) {
    lua_getfield(L, 1, "text");
    return 1;
}

/* The error a cancel hook raised (fu_lua_cancel_hook, below), kept in the
 * registry under this key until the canceled call reports it. */
static char fu_lua_hook_error_key;

static void fu_lua_push_error_table(lua_State *L, int code);

/* Push the error value for `code` (detail from fu_error_last()). A call
 * canceled because the cancel hook raised an error stays a CanceledError,
 * with the hook's error as its `cause` and in its message (the script's own
 * message and position were lost; review s12 U10). */
static void fu_lua_push_error(lua_State *L, int code) {
    fu_lua_push_error_table(L, code);
    if (code != FU_ECANCELED) return;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &fu_lua_hook_error_key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &fu_lua_hook_error_key);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "cause");
    const char *why = luaL_tolstring(L, -1, NULL); /* (the hook's error as text; __tostring for a table) */
    lua_getfield(L, -3, "message");
    lua_pushfstring(L, "%s: the cancel hook raised an error: %s", lua_tostring(L, -1), why);
    lua_pushvalue(L, -1);
    lua_setfield(L, -6, "message");
    lua_setfield(L, -5, "text");
    lua_pop(L, 3); /* message, why, cause */
}

static void fu_lua_push_error_table(lua_State *L, int code) {
    const fu_error *e = fu_error_last();
    char text[2048];
    fu_error_format(text, sizeof text);
    lua_createtable(L, 0, 8);
    lua_pushinteger(L, code); lua_setfield(L, -2, "code");
    lua_pushstring(L, fu_lua_error_name(code)); lua_setfield(L, -2, "name");
    lua_pushstring(L, e->message); lua_setfield(L, -2, "message");
    lua_pushstring(L, e->source); lua_setfield(L, -2, "source");
    lua_pushinteger(L, (lua_Integer)e->line); lua_setfield(L, -2, "line");
    lua_pushinteger(L, (lua_Integer)e->column); lua_setfield(L, -2, "column");
    lua_pushstring(L, e->path); lua_setfield(L, -2, "path");
    lua_pushstring(L, text); lua_setfield(L, -2, "text");
    if (luaL_newmetatable(L, "followup.Error")) {
        lua_pushcfunction(L, fu_lua_error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_setmetatable(L, -2);
}

/* Free a handle's C object now and forget it, so that the collector does not
 * free it again (Ledger:close() in idioms.lua: the database is closed at once).
 * Only for classes nothing borrows from; idioms.lua keeps it private. */
static int fu_lua_release(lua_State *L) {
    swig_lua_userdata *usr = (swig_lua_userdata *)lua_touserdata(L, 1);
    if (!usr) return 0;
    if (usr->own && usr->ptr && usr->type && usr->type->clientdata) {
        swig_lua_class *clss = (swig_lua_class *)usr->type->clientdata;
        if (clss->destructor) clss->destructor(usr->ptr);
    }
    usr->own = 0;
    usr->ptr = NULL;
    return 0;
}

/* Accept Lua integers and floats with an integral value that a Lua integer
 * holds (1e300 is no integer here: converting it would be undefined). */
static int fu_lua_isinteger(lua_State *L, int idx) {
    if (lua_isinteger(L, idx)) return 1;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        lua_Number n = lua_tonumber(L, idx);
        lua_Integer i;
        return n == floor(n) && lua_numbertointeger(n, &i);
    }
    return 0;
}
static lua_Integer fu_lua_tointeger(lua_State *L, int idx) {
    if (lua_isinteger(L, idx)) return lua_tointeger(L, idx);
    lua_Number n = lua_tonumber(L, idx);
    lua_Integer i = 0;
    if (!lua_numbertointeger(n, &i)) i = n < 0 ? LUA_MININTEGER : LUA_MAXINTEGER; /* (refused by the range checks) */
    return i;
}

/* An integer argument for a C parameter of range lo..hi: another value is
 * an error naming the call and the Lua position (idioms.lua words it as the
 * option or argument), never a value wrapped modulo 2^32 (review s13 I24:
 * agents = 1 << 32 read as 0, "no capacity limit"). */
static int fu_lua_int_arg(lua_State *L, int idx, lua_Integer lo, lua_Integer hi, const char *fname,
                          lua_Integer *out) {
    lua_Integer v = fu_lua_tointeger(L, idx);
    *out = v;
    if (v >= lo && v <= hi) return 0;
    if (lo == 0 && v < 0)
        fu_error_set(FU_EINVAL, "%s: argument %d must be an integer >= 0, not %lld", fname, idx, (long long)v);
    else
        fu_error_set(FU_EINVAL, "%s: argument %d must be an integer %lld..%lld, not %lld", fname, idx,
                     (long long)lo, (long long)hi, (long long)v);
    fu_lua_push_error(L, FU_EINVAL);
    return -1;
}

/* ---- arrays from Lua tables (review s13 I10) ----
 * A table with a metatable (a proxy with __len / __index) is read through
 * them: copied into a plain table (protected: an error in a metamethod is
 * an error of the call, nothing leaks) that replaces the argument. A hole
 * (an element nil before the end) is an error naming the element (from 1),
 * also when the border # picks ends before it ({1, nil, 3}). */
static int fu_lua_copy_array(lua_State *L) {
    lua_Integer n = luaL_len(L, 1);
    if (n < 0) n = 0;
    lua_createtable(L, n > 1000000 ? 1000000 : (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        lua_rawseti(L, -2, i);
    }
    lua_pushinteger(L, n);
    return 2;
}

/* The length of the array at idx (replaced by a plain copy when it has a
 * metatable); FU_EINVAL with "argument <idx>: ..." set when it is no array. */
static int fu_lua_array_open(lua_State *L, int idx, size_t *len) {
    *len = 0;
    if (!lua_istable(L, idx))
        return fu_error_set(FU_EINVAL, "argument %d must be an array (a table), not %s", idx,
                            luaL_typename(L, idx));
    lua_Integer n;
    if (lua_getmetatable(L, idx)) {
        lua_pop(L, 1);
        lua_pushcfunction(L, fu_lua_copy_array);
        lua_pushvalue(L, idx);
        if (lua_pcall(L, 1, 2, 0) != LUA_OK) {
            const char *why = lua_tostring(L, -1);
            fu_error_set(FU_EINVAL, "argument %d: reading the table through its metatable failed: %s", idx,
                         why ? why : "(an error that is not a text)");
            lua_pop(L, 1);
            return FU_EINVAL;
        }
        n = lua_tointeger(L, -1);
        lua_pop(L, 1);
        lua_replace(L, idx);
    } else {
        n = (lua_Integer)lua_rawlen(L, idx);
    }
    /* an integer key past the border: a hole at n + 1 */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > n) {
            lua_Integer k = lua_tointeger(L, -1);
            lua_pop(L, 1);
            return fu_error_set(FU_EINVAL, "argument %d: element %lld is nil, element %lld is given (an array "
                                "has no holes)", idx, (long long)n + 1, (long long)k);
        }
    }
    *len = (size_t)n;
    return FU_OK;
}

/* Element i (from 0) of the array at idx, on the stack top, is not `want`:
 * FU_EINVAL naming it from 1 and showing it. */
static int fu_lua_elem_bad(lua_State *L, int idx, size_t i, const char *want) {
    int t = lua_type(L, -1);
    if (t == LUA_TNUMBER) {
        lua_Number v = lua_tonumber(L, -1);
        return fu_error_set(FU_EINVAL, "argument %d: element %zu = %.17g: %s", idx, i + 1, (double)v, want);
    }
    if (t == LUA_TSTRING)
        return fu_error_set(FU_EINVAL, "argument %d: element %zu = '%.40s' (a text): %s", idx, i + 1,
                            lua_tostring(L, -1), want);
    return fu_error_set(FU_EINVAL, "argument %d: element %zu is %s: %s", idx, i + 1, lua_typename(L, t), want);
}
%}

/* ---- the cancel hook: followup.set_cancel_hook(fn) ----
 * fn() is called now and then during long calls (planning, model fits, KPI
 * computation; see fu_set_cancel_hook in followup/common.h) on the coroutine
 * that made the call; a true result (or an error) stops the call, which then
 * raises an error table with name "CanceledError" and leaves the handle as it
 * was. fn must not call followup itself. set_cancel_hook(nil) removes it. */
%{
static _Thread_local lua_State *fu_lua_cur; /* the state of the running wrapper */
static char fu_lua_hook_key;
#undef SWIG_check_num_args
#define SWIG_check_num_args(func_name, a, b)                                                           \
    fu_lua_cur = L;                                                                                    \
    if (lua_gettop(L) < a || lua_gettop(L) > b) {                                                      \
        SWIG_Lua_pushferrstring(L, "Error in %s expected %d..%d args, got %d", func_name, a, b,         \
                                lua_gettop(L));                                                        \
        goto fail;                                                                                     \
    }

static int fu_lua_cancel_hook(void *ud) {
    lua_State *L = fu_lua_cur;
    (void)ud;
    if (!L) return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &fu_lua_hook_key);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) { /* an error in the hook stops the call too: kept to be raised */
        lua_rawsetp(L, LUA_REGISTRYINDEX, &fu_lua_hook_error_key);
        return 1;
    }
    int stop = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (stop) { /* canceled by a true result: no earlier hook error is reported for it */
        lua_pushnil(L);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &fu_lua_hook_error_key);
    }
    return stop;
}

static int fu_lua_set_cancel_hook(lua_State *L) {
    int on = !lua_isnoneornil(L, 1);
    if (on) luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &fu_lua_hook_key);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &fu_lua_hook_error_key);
    fu_set_cancel_hook(on ? fu_lua_cancel_hook : NULL, NULL);
    return 0;
}
%}
%native(set_cancel_hook) int fu_lua_set_cancel_hook(lua_State *L);

%typemap(out) fu_status {
    if ($1 < 0) {
        fu_lua_push_error(L, $1);
        SWIG_fail;
    }
}

/* Integers as Lua integers (SWIG 4.1 would hand them over as floats). A
 * negative number for an unsigned parameter is an error (C would read -3 as
 * 4294967293); idioms.lua turns "$symname: argument N" into Lua words. N is
 * the Lua stack position ($input), not the C parameter number ($argnum):
 * they differ after a parameter the caller does not give (an output blob)
 * or one Lua argument that fills two C ones (text + length). */
%typemap(in, checkfn="fu_lua_isinteger") long, long long, int64_t
  "$1 = ($type)fu_lua_tointeger(L, $input);"
/* A narrower C type: the value must fit it (review s13 I24). */
%define FU_LUA_INT_IN(TYPE, LO, HI)
%typemap(in, checkfn="fu_lua_isinteger") TYPE {
    lua_Integer fu_v;
    if (fu_lua_int_arg(L, $input, LO, HI, "$symname", &fu_v)) SWIG_fail;
    $1 = ($type)fu_v;
}
%enddef
FU_LUA_INT_IN(int, INT_MIN, INT_MAX) FU_LUA_INT_IN(fu_status, INT_MIN, INT_MAX)
FU_LUA_INT_IN(int32_t, INT32_MIN, INT32_MAX) FU_LUA_INT_IN(short, SHRT_MIN, SHRT_MAX)
FU_LUA_INT_IN(int16_t, INT16_MIN, INT16_MAX) FU_LUA_INT_IN(int8_t, INT8_MIN, INT8_MAX)
FU_LUA_INT_IN(unsigned int, 0, (lua_Integer)UINT_MAX) FU_LUA_INT_IN(uint32_t, 0, (lua_Integer)UINT32_MAX)
FU_LUA_INT_IN(unsigned short, 0, USHRT_MAX) FU_LUA_INT_IN(uint16_t, 0, UINT16_MAX)
FU_LUA_INT_IN(uint8_t, 0, UINT8_MAX)
FU_LUA_INT_IN(unsigned long, 0, LUA_MAXINTEGER) FU_LUA_INT_IN(unsigned long long, 0, LUA_MAXINTEGER)
FU_LUA_INT_IN(size_t, 0, LUA_MAXINTEGER) FU_LUA_INT_IN(uint64_t, 0, LUA_MAXINTEGER)
%typemap(out) int, short, long, long long, unsigned int, unsigned short, unsigned long,
    unsigned long long, size_t, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
    uint32_t, uint64_t
  "lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++;"
%typemap(typecheck, precedence=SWIG_TYPECHECK_INTEGER) int, short, long, long long, unsigned int,
    unsigned short, unsigned long, unsigned long long, size_t, int8_t, int16_t, int32_t,
    int64_t, uint8_t, uint16_t, uint32_t, uint64_t
  "$1 = fu_lua_isinteger(L, $input);"
/* Time arguments (int64_t parameters named as instants: now, at, t, from,
 * to, as_of, deadline, ...): UTC epoch seconds or an ISO 8601 text with an
 * offset, parsed by fu_time_parse() as followup.time_parse() does. A bad
 * text raises naming the call and the argument ("Guard_check: argument 4:
 * ...", which idioms.lua words "Guard:check: argument 3 (at): ..."). */
%{
static int fu_lua_istime(lua_State *L, int idx) {
    return fu_lua_isinteger(L, idx) || lua_type(L, idx) == LUA_TSTRING;
}
/* idx: the Lua stack position, which names the argument (a method counts self). */
static int fu_lua_totime(lua_State *L, int idx, int64_t *out, const char *fname) {
    if (lua_type(L, idx) != LUA_TSTRING) {
        *out = (int64_t)fu_lua_tointeger(L, idx);
        return 0;
    }
    size_t n = 0;
    const char *s = lua_tolstring(L, idx, &n);
    int rc = fu_time_parse(s, n, out);
    if (rc < 0) {
        char why[512];
        snprintf(why, sizeof why, "%s", fu_error_last()->message);
        fu_error_set(rc, "%s: argument %d: %s", fname, idx, why);
        fu_lua_push_error(L, rc);
    }
    return rc;
}
%}
%define FU_LUA_TIME_ARG(name)
%typemap(in, checkfn="fu_lua_istime") int64_t name
  "if (fu_lua_totime(L, $input, &$1, \"$symname\") < 0) SWIG_fail;"
%typemap(typecheck, precedence=SWIG_TYPECHECK_INTEGER) int64_t name "$1 = fu_lua_istime(L, $input);"
%enddef
FU_LUA_TIME_ARG(now) FU_LUA_TIME_ARG(at) FU_LUA_TIME_ARG(t) FU_LUA_TIME_ARG(from) FU_LUA_TIME_ARG(from_)
FU_LUA_TIME_ARG(to) FU_LUA_TIME_ARG(as_of) FU_LUA_TIME_ARG(due_from) FU_LUA_TIME_ARG(due_to)
FU_LUA_TIME_ARG(deadline) FU_LUA_TIME_ARG(created_at) FU_LUA_TIME_ARG(closed_at)
FU_LUA_TIME_ARG(first_purchase_at) FU_LUA_TIME_ARG(calibration_end) FU_LUA_TIME_ARG(callback_at)

%typemap(varout) int, long, int64_t, size_t, unsigned int "lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++;"
%typemap(consttab) int, long, unsigned int, int64_t
  "{SWIG_LUA_CONSTTAB_INT(\"$symname\", $value)}"

%typemap(argout) int64_t *out, int *out, unsigned int *out, uint8_t *out, size_t *out
  "lua_pushinteger(L, (lua_Integer)*$1); SWIG_arg++;"
%typemap(argout) double *out "lua_pushnumber(L, *$1); SWIG_arg++;"
%typemap(argout) char **out  "if (*$1) lua_pushstring(L, *$1); else lua_pushnil(L); SWIG_arg++;"

/* Text in as pointer + length from a Lua string (a NUL byte in it is an
 * error: bindings/common/followup.i). */
%typemap(in, checkfn="lua_isstring") (const char *text, size_t len) {
    size_t n = 0;
    $1 = (char *)lua_tolstring(L, $input, &n);
    $2 = n;
    if (fu_swig_check_nul($1, $2, $input, "$symname")) {
        fu_lua_push_error(L, FU_EINVAL);
        SWIG_fail;
    }
}

/* Binary data in as pointer + length (packed records: NUL bytes are data). */
%typemap(in, checkfn="lua_isstring") (const char *bytes, size_t nbytes) {
    size_t n = 0;
    $1 = (char *)lua_tolstring(L, $input, &n);
    $2 = n;
}

%include "../common/followup.i"

/* Calendar:add_working_days_bulk (idioms.lua checks the arguments and words
 * them): _calendar_add_working_days_bulk(cal, times, ns, mode), times and ns
 * arrays of integers of one length, mode a fu_workday_mode -> an array of
 * epoch seconds, one fu_calendar_add_working_days_bulk() call. A failing
 * element raises the library's error (its message names t[i], 0-based). */
%{
static int fu_lua_calendar_add_working_days_bulk(lua_State *L) {
    fu_calendar *cal = NULL;
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&cal, SWIGTYPE_p_fu_calendar, 0)) || !cal ||
        !lua_istable(L, 2) || !lua_istable(L, 3) || !lua_isinteger(L, 4)) {
        fu_error_set(FU_EINVAL, "_calendar_add_working_days_bulk: expected a calendar, two arrays and a mode");
        fu_lua_push_error(L, FU_EINVAL);
        return lua_error(L);
    }
    size_t count = (size_t)lua_rawlen(L, 2);
    int mode = (int)lua_tointeger(L, 4);
    int rc = count == (size_t)lua_rawlen(L, 3) ? FU_OK
                                                 : fu_error_set(FU_EINVAL, "_calendar_add_working_days_bulk: "
                                                                           "times and ns differ in length");
    /* the result's table before any malloc: a memory error raised by Lua leaks nothing */
    if (rc == FU_OK) lua_createtable(L, count > INT_MAX ? INT_MAX : (int)count, 0);
    int64_t *t = rc == FU_OK ? (int64_t *)malloc((count ? count : 1) * sizeof *t) : NULL;
    int64_t *out = rc == FU_OK ? (int64_t *)malloc((count ? count : 1) * sizeof *out) : NULL;
    int *n = rc == FU_OK ? (int *)malloc((count ? count : 1) * sizeof *n) : NULL;
    if (rc == FU_OK && (!t || !out || !n)) rc = fu_error_set(FU_ENOMEM, "out of memory");
    for (size_t i = 0; rc == FU_OK && i < count; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i + 1);
        lua_rawgeti(L, 3, (lua_Integer)i + 1);
        if (!lua_isinteger(L, -2) || !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
            lua_tointeger(L, -1) > INT_MAX)
            rc = fu_error_set(FU_EINVAL, "_calendar_add_working_days_bulk: element %zu is not an integer", i);
        else {
            t[i] = (int64_t)lua_tointeger(L, -2);
            n[i] = (int)lua_tointeger(L, -1);
        }
        lua_pop(L, 2);
    }
    if (rc == FU_OK) rc = fu_calendar_add_working_days_bulk(cal, t, n, count, (fu_workday_mode)mode, out);
    if (rc == FU_OK) {
        for (size_t i = 0; i < count; i++) {
            lua_pushinteger(L, (lua_Integer)out[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    free(t);
    free(out);
    free(n);
    if (rc < 0) {
        fu_lua_push_error(L, rc);
        return lua_error(L);
    }
    return 1;
}
%}
%native(_calendar_add_working_days_bulk) int fu_lua_calendar_add_working_days_bulk(lua_State *L);

/* Lua idioms over the SWIG layer (bindings/lua/idioms.lua, docs/bindings.md). */
%native(_release) int fu_lua_release(lua_State *L);
%include "idioms.i"
