/* SWIG interface of fu_policy (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   followup.policy_default() -> Policy            the built-in policy
 *   followup.policy_load_file(path, flags=0) -> Policy
 *   followup.policy_load_string(text, source_name=None, flags=0) -> Policy
 *   followup.policy_default_yaml() -> str          the built-in policy's YAML text
 *   followup.duration_parse(text) -> Duration      Duration: .value, .unit (DURATION_*)
 *   followup.duration_format(d) -> str
 *   Policy: name(), version(), source(), summary() -> str,
 *           calendar(name=None) -> Calendar (a copy the caller owns),
 *           calendar_in_zone(tz, name=None) -> Calendar: calendar `name`'s rules in
 *             zone tz (fu_policy_calendar_in_zone: the policy calendar of that zone
 *             with its holidays, else `name`'s weekly hours in tz),
 *           get_number(path) -> float, get_string(path) -> str, get_bool(path) -> int,
 *           get_duration(path) -> Duration, get_length(path) -> int, get_key(path, i) -> str
 * Paths are "kpis.coverage.target", "calendars.cn.holidays[0]". Failures raise
 * (followup.Error subclasses in Python, error tables in Lua) with the file,
 * line, column and key path of the problem.
 *
 * SWIG names the C helper of an %extend method <struct>_<method>, which would
 * collide with the real API (fu_policy_name ...): methods are written m_<name>
 * and renamed to <name>.
 */

%{
#include <stdlib.h>
#include <string.h>
%}


%constant int DURATION_SECONDS = FU_DURATION_SECONDS;
%constant int DURATION_BUSINESS_SECONDS = FU_DURATION_BUSINESS_SECONDS;
%constant int DURATION_WORKING_DAYS = FU_DURATION_WORKING_DAYS;
%constant int DURATION_MONTHS = FU_DURATION_MONTHS;
%constant int POLICY_STANDALONE = FU_POLICY_STANDALONE;

/* ------------------------------------------------------------ durations */
%rename(Duration) fu_duration;
typedef struct fu_duration {
    int64_t value;
    int unit;
} fu_duration;

%{
static fu_duration *fu_swig_duration_parse(const char *text, size_t len) {
    fu_duration d;
    if (fu_duration_parse(text, len, &d) != FU_OK) return NULL;
    fu_duration *p = (fu_duration *)malloc(sizeof *p);
    if (!p) {
        fu_swig_nomem();
        return NULL;
    }
    *p = d;
    return p;
}
static void fu_swig_duration_format(const fu_duration *d, char **out) {
    char buf[64];
    if (!d) {
        fu_error_set(FU_EINVAL, "duration is None/nil");
        return;
    }
    fu_duration_format(d, buf, sizeof buf);
    *out = fu_strdup(buf); /* NULL with the error raised when out of memory */
}
%}
%newobject fu_swig_duration_parse;
FU_RAISES(fu_swig_duration_parse)
FU_RAISES(fu_swig_duration_format)
%rename(duration_parse) fu_swig_duration_parse;
%rename(duration_format) fu_swig_duration_format;
fu_duration *fu_swig_duration_parse(const char *text, size_t len);
void fu_swig_duration_format(const fu_duration *d, char **out);

/* ------------------------------------------------------------ loading */
%{
static fu_policy *fu_swig_policy_default(void) {
    fu_policy *p = NULL;
    fu_policy_default(&p);
    return p;
}
static fu_policy *fu_swig_policy_load_file(const char *path, unsigned int flags) {
    fu_policy_load_options o = FU_POLICY_LOAD_OPTIONS_INIT;
    fu_policy *p = NULL;
    o.flags = flags;
    fu_policy_load_file(&p, path, &o);
    return p;
}
static fu_policy *fu_swig_policy_load_string(const char *text, size_t len, const char *source_name,
                                             unsigned int flags) {
    fu_policy_load_options o = FU_POLICY_LOAD_OPTIONS_INIT;
    fu_policy *p = NULL;
    o.flags = flags;
    fu_policy_load_string(&p, text, len, source_name, &o);
    return p;
}
static const char *fu_swig_policy_default_yaml(void) { return fu_policy_default_yaml(NULL); }
%}

%rename(Policy) fu_policy;
%nodefaultctor fu_policy; /* made by policy_default / policy_load_* */
typedef struct fu_policy {} fu_policy;

%newobject fu_swig_policy_default;
%newobject fu_swig_policy_load_file;
%newobject fu_swig_policy_load_string;
FU_RAISES(fu_swig_policy_default)
FU_RAISES(fu_swig_policy_load_file)
FU_RAISES(fu_swig_policy_load_string)
%rename(policy_default) fu_swig_policy_default;
%rename(policy_load_file) fu_swig_policy_load_file;
%rename(policy_load_string) fu_swig_policy_load_string;
%rename(policy_default_yaml) fu_swig_policy_default_yaml;
fu_policy *fu_swig_policy_default(void);
fu_policy *fu_swig_policy_load_file(const char *path, unsigned int flags = 0);
fu_policy *fu_swig_policy_load_string(const char *text, size_t len, const char *source_name = NULL,
                                      unsigned int flags = 0);
const char *fu_swig_policy_default_yaml(void);

/* ------------------------------------------------------------ reading */
%newobject fu_policy::m_calendar;
%newobject fu_policy::m_calendar_in_zone;
%newobject fu_policy::m_get_duration;
FU_RAISES(fu_policy::m_calendar)
FU_RAISES(fu_policy::m_calendar_in_zone)
FU_RAISES(fu_policy::m_get_number)
FU_RAISES(fu_policy::m_get_string)
FU_RAISES(fu_policy::m_get_bool)
FU_RAISES(fu_policy::m_get_duration)
FU_RAISES(fu_policy::m_get_length)
FU_RAISES(fu_policy::m_get_key)
FU_RAISES(fu_policy::m_summary)
%rename(name) fu_policy::m_name;
%rename(version) fu_policy::m_version;
%rename(source) fu_policy::m_source;
%rename(calendar) fu_policy::m_calendar;
%rename(calendar_in_zone) fu_policy::m_calendar_in_zone;
%rename(get_number) fu_policy::m_get_number;
%rename(get_string) fu_policy::m_get_string;
%rename(get_bool) fu_policy::m_get_bool;
%rename(get_duration) fu_policy::m_get_duration;
%rename(get_length) fu_policy::m_get_length;
%rename(get_key) fu_policy::m_get_key;
%rename(summary) fu_policy::m_summary;
%extend fu_policy {
    ~fu_policy() { fu_policy_free($self); }
    const char *m_name() { return fu_policy_name($self); }
    const char *m_version() { return fu_policy_version($self); }
    const char *m_source() { return fu_policy_source($self); }
    /* A copy of the named calendar (NULL/nil name: the default calendar); the
     * copy belongs to the caller, so it outlives the policy safely. */
    fu_calendar *m_calendar(const char *name = NULL) {
        const fu_calendar *c = fu_policy_calendar($self, name);
        fu_calendar *copy = NULL;
        if (c) fu_calendar_clone(&copy, c);
        return copy;
    }
    fu_calendar *m_calendar_in_zone(const char *tz, const char *name = NULL) {
        fu_calendar *c = NULL;
        fu_policy_calendar_in_zone($self, name, tz, &c);
        return c;
    }
    void m_get_number(const char *path, double *out) { fu_policy_get_number($self, path, out); }
    const char *m_get_string(const char *path) {
        const char *s = NULL;
        fu_policy_get_string($self, path, &s);
        return s;
    }
    void m_get_bool(const char *path, int *out) { fu_policy_get_bool($self, path, out); }
    fu_duration *m_get_duration(const char *path) {
        fu_duration d;
        if (fu_policy_get_duration($self, path, &d) != FU_OK) return NULL;
        fu_duration *p = (fu_duration *)malloc(sizeof *p);
        if (!p) {
            fu_swig_nomem();
            return NULL;
        }
        *p = d;
        return p;
    }
    void m_get_length(const char *path, size_t *out) { fu_policy_get_length($self, path, out); }
    const char *m_get_key(const char *path, size_t index) {
        const char *s = NULL;
        fu_policy_get_key($self, path, index, &s);
        return s;
    }
    void m_summary(char **out) { fu_policy_summary($self, NULL, out); }
}
