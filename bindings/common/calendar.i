/* SWIG interface of fu_calendar (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   followup.time_parse(text) -> int            followup.time_format(t, offset=0, flags=0) -> str
 *   followup.date_parse(text) -> Date           followup.date_format(d) -> str
 *   followup.date_to_days(d) -> int             followup.date_from_days(n) -> Date
 *   followup.date_weekday(d) -> 0..6
 *   Windows(text): contains(minute_of_week), next_start(minute_of_week), count(), get(i),
 *                  is_empty(), contains_time(cal, t), next_time(cal, t)
 *                  (get(i) -> WindowSpan with start, end; `stop` instead of `end` in Lua)
 *   Calendar(tzid): tzid(), clone(), utc_offset(t), to_local(t) -> Local,
 *                  from_local(local, flags=0), hour_of_week(t), minute_of_week(t),
 *                  hour_of_week_bulk([t...]) -> [h...], set_hours(weekday, [start, end, ...]),
 *                  set_hours_text(text), clear_hours(), add_holiday(first, last=None),
 *                  add_workday(day, as_weekday=MONDAY), clear_exceptions(), is_open(t),
 *                  next_open(t), add_business(t, seconds),
 *                  add_business_bulk([t...], seconds) -> [t...], business_between(a, b),
 *                  add_working_days(t, n, mode=WORKDAY_END_OF_DAY), is_working_day(d),
 *                  working_days_between(a, b)
 * Failures raise (followup.Error subclasses in Python, error tables in Lua).
 *
 * SWIG names the C helper of an %extend method <struct>_<method>, which would
 * collide with the real API (fu_calendar_clone ...): methods are written m_<name>
 * and renamed to <name>.
 */

%{
#include <stdbool.h>
#include <stdlib.h>
%}


/* ---- arrays of instants in, arrays out (bulk calls) ---- */
#ifdef SWIGPYTHON
%{
/* Read a sequence of integers into a malloc'd int64 array. */
static int fu_py_int64_array(PyObject *obj, int64_t **out, size_t *n) {
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
%}
%typemap(in) (const void *times, size_t count, void *hours_out)
    (int64_t *tv = NULL, uint8_t *hv = NULL, size_t cnt = 0) {
    if (fu_py_int64_array($input, &tv, &cnt) < 0) SWIG_fail;
    hv = (uint8_t *)malloc(cnt ? cnt : 1);
    if (!hv) { PyErr_NoMemory(); SWIG_fail; }
    $1 = tv; $2 = cnt; $3 = hv;
}
%typemap(argout) (const void *times, size_t count, void *hours_out) {
    PyObject *list = PyList_New((Py_ssize_t)$2);
    if (!list) SWIG_fail;
    for (size_t i = 0; i < $2; i++) PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLong(((uint8_t *)$3)[i]));
    $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) (const void *times, size_t count, void *hours_out) {
    free(tv$argnum); free(hv$argnum);
}
%typemap(in) (const void *times, size_t count, void *times_out)
    (int64_t *tv = NULL, int64_t *ov = NULL, size_t cnt = 0) {
    if (fu_py_int64_array($input, &tv, &cnt) < 0) SWIG_fail;
    ov = (int64_t *)malloc((cnt ? cnt : 1) * sizeof *ov);
    if (!ov) { PyErr_NoMemory(); SWIG_fail; }
    $1 = tv; $2 = cnt; $3 = ov;
}
%typemap(argout) (const void *times, size_t count, void *times_out) {
    PyObject *list = PyList_New((Py_ssize_t)$2);
    if (!list) SWIG_fail;
    for (size_t i = 0; i < $2; i++)
        PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLongLong((long long)((int64_t *)$3)[i]));
    $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) (const void *times, size_t count, void *times_out) {
    free(tv$argnum); free(ov$argnum);
}
/* set_hours(weekday, [start_minute, end_minute, ...]) */
%typemap(in) (const int *minutes, size_t nminutes) (int64_t *tv = NULL, int *mv = NULL, size_t cnt = 0) {
    if (fu_py_int64_array($input, &tv, &cnt) < 0) SWIG_fail;
    mv = (int *)malloc((cnt ? cnt : 1) * sizeof *mv);
    if (!mv) { PyErr_NoMemory(); SWIG_fail; }
    for (size_t i = 0; i < cnt; i++) mv[i] = (int)tv[i];
    $1 = mv; $2 = cnt;
}
%typemap(freearg) (const int *minutes, size_t nminutes) { free(tv$argnum); free(mv$argnum); }
#endif

#ifdef SWIGLUA
%{
/* Read a Lua array of integers into a malloc'd int64 array. */
static int fu_lua_int64_array(lua_State *L, int idx, int64_t **out, size_t *n) {
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
%typemap(in, checkfn="lua_istable") (const void *times, size_t count, void *hours_out)
    (int64_t *tv = NULL, uint8_t *hv = NULL, size_t cnt = 0) {
    int fu_rc = fu_lua_int64_array(L, $input, &tv, &cnt);
    if (fu_rc < 0) { fu_error_prefix("$symname"); fu_lua_push_error(L, fu_rc); SWIG_fail; }
    hv = (uint8_t *)malloc(cnt ? cnt : 1);
    if (!hv) { lua_pushstring(L, "out of memory"); SWIG_fail; }
    $1 = tv; $2 = cnt; $3 = hv;
}
%typemap(argout) (const void *times, size_t count, void *hours_out) {
    lua_createtable(L, (int)$2, 0);
    for (size_t i = 0; i < $2; i++) {
        lua_pushinteger(L, (lua_Integer)((uint8_t *)$3)[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    SWIG_arg++;
}
%typemap(freearg) (const void *times, size_t count, void *hours_out) {
    free(tv$argnum); free(hv$argnum);
}
%typemap(in, checkfn="lua_istable") (const void *times, size_t count, void *times_out)
    (int64_t *tv = NULL, int64_t *ov = NULL, size_t cnt = 0) {
    int fu_rc = fu_lua_int64_array(L, $input, &tv, &cnt);
    if (fu_rc < 0) { fu_error_prefix("$symname"); fu_lua_push_error(L, fu_rc); SWIG_fail; }
    ov = (int64_t *)malloc((cnt ? cnt : 1) * sizeof *ov);
    if (!ov) { lua_pushstring(L, "out of memory"); SWIG_fail; }
    $1 = tv; $2 = cnt; $3 = ov;
}
%typemap(argout) (const void *times, size_t count, void *times_out) {
    lua_createtable(L, (int)$2, 0);
    for (size_t i = 0; i < $2; i++) {
        lua_pushinteger(L, (lua_Integer)((int64_t *)$3)[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    SWIG_arg++;
}
%typemap(freearg) (const void *times, size_t count, void *times_out) {
    free(tv$argnum); free(ov$argnum);
}
%typemap(in, checkfn="lua_istable") (const int *minutes, size_t nminutes)
    (int64_t *tv = NULL, int *mv = NULL, size_t cnt = 0) {
    int fu_rc = fu_lua_int64_array(L, $input, &tv, &cnt);
    if (fu_rc < 0) { fu_error_prefix("$symname"); fu_lua_push_error(L, fu_rc); SWIG_fail; }
    mv = (int *)malloc((cnt ? cnt : 1) * sizeof *mv);
    if (!mv) { lua_pushstring(L, "out of memory"); SWIG_fail; }
    for (size_t i = 0; i < cnt; i++) mv[i] = (int)tv[i];
    $1 = mv; $2 = cnt;
}
%typemap(freearg) (const int *minutes, size_t nminutes) { free(tv$argnum); free(mv$argnum); }
#endif

/* ------------------------------------------------------------ constants */
%constant int MONDAY = FU_MONDAY;
%constant int TUESDAY = FU_TUESDAY;
%constant int WEDNESDAY = FU_WEDNESDAY;
%constant int THURSDAY = FU_THURSDAY;
%constant int FRIDAY = FU_FRIDAY;
%constant int SATURDAY = FU_SATURDAY;
%constant int SUNDAY = FU_SUNDAY;
%constant int HOURS_PER_WEEK = FU_HOURS_PER_WEEK;
%constant int MINUTES_PER_WEEK = FU_MINUTES_PER_WEEK;
%constant unsigned int TIME_FORMAT_Z = FU_TIME_FORMAT_Z;
%constant unsigned int LOCAL_LATER = FU_LOCAL_LATER;
%constant unsigned int LOCAL_REJECT_GAP = FU_LOCAL_REJECT_GAP;
%constant int WORKDAY_END_OF_DAY = FU_WORKDAY_END_OF_DAY;
%constant int WORKDAY_SAME_TIME = FU_WORKDAY_SAME_TIME;

/* ------------------------------------------------------------ records */
%rename(Date) fu_date;
typedef struct fu_date {
    int year;
    int month;
    int day;
} fu_date;
%extend fu_date {
    fu_date(int year, int month, int day) {
        fu_date *d = (fu_date *)malloc(sizeof *d);
        if (d) { d->year = year; d->month = month; d->day = day; }
        return d;
    }
    ~fu_date() { free($self); }
}

%rename(Local) fu_local;
typedef struct fu_local {
    int year;
    int month;
    int day;
    int hour;
    int minute;
    int second;
    int weekday;
    int day_of_year;
    int utc_offset;
} fu_local;
%extend fu_local {
    fu_local(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
        fu_local *l = (fu_local *)calloc(1, sizeof *l);
        if (l) {
            l->year = year; l->month = month; l->day = day;
            l->hour = hour; l->minute = minute; l->second = second;
        }
        return l;
    }
    ~fu_local() { free($self); }
}

%rename(WindowSpan) fu_window_span;
#ifdef SWIGLUA
%rename(stop) fu_window_span::end; /* `end` is a Lua keyword */
#endif
typedef struct fu_window_span {
    int start;
    int end;
} fu_window_span;

/* --------------------------------------------------------- time text */
%{
static int64_t fu_swig_time_parse(const char *text, size_t len) {
    int64_t t = 0;
    fu_time_parse(text, len, &t);
    return t;
}
static char *fu_swig_time_format(int64_t t, int offset_seconds, unsigned int flags) {
    char buf[FU_TIME_TEXT_SIZE];
    if (fu_time_format(t, offset_seconds, flags, buf, sizeof buf)) return NULL;
    char *s = (char *)malloc(strlen(buf) + 1);
    if (!s) { fu_swig_nomem(); return NULL; }
    strcpy(s, buf);
    return s;
}
static fu_date *fu_swig_date_parse(const char *text, size_t len) {
    fu_date d;
    if (fu_date_parse(text, len, &d)) return NULL;
    fu_date *p = (fu_date *)malloc(sizeof *p);
    if (!p) { fu_swig_nomem(); return NULL; }
    *p = d;
    return p;
}
static char *fu_swig_date_format(const fu_date *d) {
    char buf[FU_DATE_TEXT_SIZE];
    if (fu_date_format(d, buf, sizeof buf)) return NULL;
    char *s = (char *)malloc(strlen(buf) + 1);
    if (!s) { fu_swig_nomem(); return NULL; }
    strcpy(s, buf);
    return s;
}
static int64_t fu_swig_date_to_days(const fu_date *d) {
    int64_t n = 0;
    fu_date_to_days(d, &n);
    return n;
}
static fu_date *fu_swig_date_from_days(int64_t days) {
    fu_date d;
    if (fu_date_from_days(days, &d)) return NULL;
    fu_date *p = (fu_date *)malloc(sizeof *p);
    if (!p) { fu_swig_nomem(); return NULL; }
    *p = d;
    return p;
}
static int fu_swig_date_weekday(const fu_date *d) {
    int w = fu_date_weekday(d);
    return w < 0 ? 0 : w;
}
%}
%newobject fu_swig_time_format;
%newobject fu_swig_date_parse;
%newobject fu_swig_date_format;
%newobject fu_swig_date_from_days;
%typemap(newfree) char *fu_swig_time_format "free($1);";
%typemap(newfree) char *fu_swig_date_format "free($1);";
FU_RAISES(fu_swig_time_parse)
FU_RAISES(fu_swig_time_format)
FU_RAISES(fu_swig_date_parse)
FU_RAISES(fu_swig_date_format)
FU_RAISES(fu_swig_date_to_days)
FU_RAISES(fu_swig_date_from_days)
FU_RAISES(fu_swig_date_weekday)
%rename(time_parse) fu_swig_time_parse;
%rename(time_format) fu_swig_time_format;
%rename(date_parse) fu_swig_date_parse;
%rename(date_format) fu_swig_date_format;
%rename(date_to_days) fu_swig_date_to_days;
%rename(date_from_days) fu_swig_date_from_days;
%rename(date_weekday) fu_swig_date_weekday;
int64_t fu_swig_time_parse(const char *text, size_t len);
char *fu_swig_time_format(int64_t t, int offset_seconds = 0, unsigned int flags = 0);
fu_date *fu_swig_date_parse(const char *text, size_t len);
char *fu_swig_date_format(const fu_date *d);
int64_t fu_swig_date_to_days(const fu_date *d);
fu_date *fu_swig_date_from_days(int64_t days);
int fu_swig_date_weekday(const fu_date *d);

/* ------------------------------------------------------------ windows */
%rename(Windows) fu_windows;
typedef struct fu_windows {} fu_windows;
%newobject fu_windows::m_clone;
FU_RAISES(fu_windows::fu_windows)
FU_RAISES(fu_windows::m_clone)
FU_RAISES(fu_windows::m_contains)
FU_RAISES(fu_windows::m_next_start)
FU_RAISES(fu_windows::m_get)
FU_RAISES(fu_windows::m_contains_time)
FU_RAISES(fu_windows::m_next_time)
%rename(clone) fu_windows::m_clone;
%rename(is_empty) fu_windows::m_is_empty;
%rename(contains) fu_windows::m_contains;
%rename(next_start) fu_windows::m_next_start;
%rename(count) fu_windows::m_count;
%rename(get) fu_windows::m_get;
%rename(contains_time) fu_windows::m_contains_time;
%rename(next_time) fu_windows::m_next_time;
%extend fu_windows {
    fu_windows(const char *text, size_t len) {
        fu_windows *w = NULL;
        fu_windows_parse(text, len, &w);
        return w;
    }
    ~fu_windows() { fu_windows_free($self); }
    fu_windows *m_clone() {
        fu_windows *w = NULL;
        fu_windows_clone(&w, $self);
        return w;
    }
    bool m_is_empty() { return fu_windows_is_empty($self) != 0; }
    bool m_contains(int minute_of_week) { return fu_windows_contains($self, minute_of_week) > 0; }
    int m_next_start(int minute_of_week) {
        int m = 0;
        fu_windows_next_start($self, minute_of_week, &m);
        return m;
    }
    size_t m_count() { return fu_windows_count($self); }
    fu_window_span m_get(size_t index) {
        fu_window_span s = {0, 0};
        fu_windows_get($self, index, &s);
        return s;
    }
    bool m_contains_time(const fu_calendar *cal, int64_t t) {
        return fu_windows_contains_time($self, cal, t) > 0;
    }
    int64_t m_next_time(const fu_calendar *cal, int64_t t) {
        int64_t r = 0;
        fu_windows_next_time($self, cal, t, &r);
        return r;
    }
}

/* ----------------------------------------------------------- calendar */
%rename(Calendar) fu_calendar;
typedef struct fu_calendar {} fu_calendar;
%newobject fu_calendar::m_clone;
%newobject fu_calendar::m_to_local;
FU_RAISES(fu_calendar::fu_calendar)
FU_RAISES(fu_calendar::m_clone)
FU_RAISES(fu_calendar::m_utc_offset)
FU_RAISES(fu_calendar::m_to_local)
FU_RAISES(fu_calendar::m_from_local)
FU_RAISES(fu_calendar::m_hour_of_week)
FU_RAISES(fu_calendar::m_minute_of_week)
FU_RAISES(fu_calendar::m_hour_of_week_bulk)
FU_RAISES(fu_calendar::m_set_hours)
FU_RAISES(fu_calendar::m_set_hours_text)
FU_RAISES(fu_calendar::m_add_holiday)
FU_RAISES(fu_calendar::m_add_workday)
FU_RAISES(fu_calendar::m_is_open)
FU_RAISES(fu_calendar::m_next_open)
FU_RAISES(fu_calendar::m_add_business)
FU_RAISES(fu_calendar::m_add_business_bulk)
FU_RAISES(fu_calendar::m_business_between)
FU_RAISES(fu_calendar::m_add_working_days)
FU_RAISES(fu_calendar::m_is_working_day)
FU_RAISES(fu_calendar::m_working_days_between)
%rename(clone) fu_calendar::m_clone;
%rename(tzid) fu_calendar::m_tzid;
%rename(utc_offset) fu_calendar::m_utc_offset;
%rename(to_local) fu_calendar::m_to_local;
%rename(from_local) fu_calendar::m_from_local;
%rename(hour_of_week) fu_calendar::m_hour_of_week;
%rename(minute_of_week) fu_calendar::m_minute_of_week;
%rename(hour_of_week_bulk) fu_calendar::m_hour_of_week_bulk;
%rename(set_hours) fu_calendar::m_set_hours;
%rename(set_hours_text) fu_calendar::m_set_hours_text;
%rename(clear_hours) fu_calendar::m_clear_hours;
%rename(add_holiday) fu_calendar::m_add_holiday;
%rename(add_workday) fu_calendar::m_add_workday;
%rename(clear_exceptions) fu_calendar::m_clear_exceptions;
%rename(is_open) fu_calendar::m_is_open;
%rename(next_open) fu_calendar::m_next_open;
%rename(add_business) fu_calendar::m_add_business;
%rename(add_business_bulk) fu_calendar::m_add_business_bulk;
%rename(business_between) fu_calendar::m_business_between;
%rename(add_working_days) fu_calendar::m_add_working_days;
%rename(is_working_day) fu_calendar::m_is_working_day;
%rename(working_days_between) fu_calendar::m_working_days_between;
%extend fu_calendar {
    fu_calendar(const char *tzid) {
        fu_calendar *c = NULL;
        fu_calendar_new(&c, tzid);
        return c;
    }
    ~fu_calendar() { fu_calendar_free($self); }
    fu_calendar *m_clone() {
        fu_calendar *c = NULL;
        fu_calendar_clone(&c, $self);
        return c;
    }
    const char *m_tzid() { return fu_calendar_tzid($self); }
    int m_utc_offset(int64_t t) {
        int off = 0;
        fu_calendar_utc_offset($self, t, &off);
        return off;
    }
    fu_local *m_to_local(int64_t t) {
        fu_local l;
        if (fu_calendar_to_local($self, t, &l)) return NULL;
        fu_local *p = (fu_local *)malloc(sizeof *p);
        if (!p) { fu_swig_nomem(); return NULL; }
        *p = l;
        return p;
    }
    int64_t m_from_local(const fu_local *local, unsigned int flags = 0) {
        int64_t t = 0;
        if (!local) { fu_error_set(FU_EINVAL, "local time is None/nil"); return 0; }
        fu_calendar_from_local($self, local, flags, &t);
        return t;
    }
    int m_hour_of_week(int64_t t) {
        int h = fu_calendar_hour_of_week($self, t);
        return h < 0 ? 0 : h;
    }
    int m_minute_of_week(int64_t t) {
        int m = fu_calendar_minute_of_week($self, t);
        return m < 0 ? 0 : m;
    }
    void m_hour_of_week_bulk(const void *times, size_t count, void *hours_out) {
        fu_calendar_hour_of_week_bulk($self, times, count, hours_out);
    }
    /* minutes: start, end, start, end, ... (local minutes of the day) */
    void m_set_hours(int weekday, const int *minutes, size_t nminutes) {
        fu_day_interval iv[FU_CALENDAR_MAX_INTERVALS + 1];
        size_t n = nminutes / 2;
        if (nminutes % 2) { fu_error_set(FU_EINVAL, "set_hours: an odd number of minutes"); return; }
        if (n > FU_CALENDAR_MAX_INTERVALS) n = FU_CALENDAR_MAX_INTERVALS + 1;
        for (size_t i = 0; i < n; i++) {
            iv[i].start_minute = minutes[2 * i];
            iv[i].end_minute = minutes[2 * i + 1];
        }
        fu_calendar_set_hours($self, weekday, iv, n);
    }
    void m_set_hours_text(const char *text, size_t len) { fu_calendar_set_hours_text($self, text, len); }
    void m_clear_hours() { fu_calendar_clear_hours($self); }
    void m_add_holiday(const fu_date *first, const fu_date *last = NULL) {
        fu_calendar_add_holiday($self, first, last);
    }
    void m_add_workday(const fu_date *day, int as_weekday = FU_MONDAY) {
        fu_calendar_add_workday($self, day, as_weekday);
    }
    void m_clear_exceptions() { fu_calendar_clear_exceptions($self); }
    bool m_is_open(int64_t t) { return fu_calendar_is_open($self, t) > 0; }
    int64_t m_next_open(int64_t t) {
        int64_t r = 0;
        fu_calendar_next_open($self, t, &r);
        return r;
    }
    int64_t m_add_business(int64_t t, int64_t seconds) {
        int64_t r = 0;
        fu_calendar_add_business($self, t, seconds, &r);
        return r;
    }
    void m_add_business_bulk(const void *times, size_t count, void *times_out,
                             int64_t seconds) {
        fu_calendar_add_business_bulk($self, (const int64_t *)times, count, seconds,
                                      (int64_t *)times_out);
    }
    int64_t m_business_between(int64_t from, int64_t to) {
        int64_t r = 0;
        fu_calendar_business_between($self, from, to, &r);
        return r;
    }
    int64_t m_add_working_days(int64_t t, int n, int mode = FU_WORKDAY_END_OF_DAY) {
        int64_t r = 0;
        fu_calendar_add_working_days($self, t, n, (fu_workday_mode)mode, &r);
        return r;
    }
    bool m_is_working_day(const fu_date *date) { return fu_calendar_is_working_day($self, date) > 0; }
    int64_t m_working_days_between(const fu_date *from, const fu_date *to) {
        int64_t r = 0;
        fu_calendar_working_days_between($self, from, to, &r);
        return r;
    }
}
