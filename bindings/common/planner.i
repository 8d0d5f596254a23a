/* SWIG interface of fu_planner (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   Planner(policy, book, agents=0, calls_per_agent=0, default_cycle=0, besttime=False,
 *           tier_cycles=None, strict_calendar=False, capacity_pass=False,
 *           daily_capacity=False)
 *       strict_calendar=True: a touchpoint past the official holidays of a
 *       calendar fails the plan (FU_PLANNER_STRICT_CALENDAR, RangeError)
 *       instead of being counted in calendar_expired.
 *       capacity_pass=True: a partition's planner whose plans go through
 *       capacity_pass() (FU_PLANNER_CAPACITY_PASS): event steps whose window
 *       passed without a contact stay due (overdue), as with agents.
 *       daily_capacity=True: agents by the one-day rule of capacity_pass()
 *       (FU_PLANNER_DAILY_CAPACITY): a contact over a day's cap is deferred
 *       to the next day instead of moved to a later day of the horizon with
 *       room; the one-process plan the partitioned one equals for any horizon.
 *     set_ledger(ledger=None): the promises of a commitment Ledger drive
 *       contacts (fu_planner_set_ledger(); bindings/common/loop.i)
 *       Borrows the policy and the book: the planner keeps references to both,
 *       so they live as long as it does. besttime=True builds a best-time
 *       model from the book's contact history (FU_PLANNER_BESTTIME) and
 *       takes best_at from it. tier_cycles: the fallback purchase cycles
 *       (a sequence / Lua array of tiers x classes numbers, as tier_cycles()
 *       returns them), e.g. of a planner over the whole book given to the
 *       planner of a partition; None / nil: computed from this book.
 *     tier_cycles() -> list of float (days; tier-major, 0 = none)
 *     tier_cycle_sums(): the exact parts (fu_planner_tier_cycle_sums()), made
 *       by each face from _tier_cycle_sum(i) / _tier_cycle_count(i): Python
 *       (int64 ndarray, uint64 ndarray) (followup/_methods.py), Lua two
 *       arrays of integers (bindings/lua/idioms.lua)
 *     plan(now, horizon=86400) -> Plan         every customer, with capacity
 *     plan_customer(customer, now, horizon=86400) -> Plan   one customer, no capacity
 *     feed(customer_id, at, kind, now=BOOK_NO_TIME (= at), horizon=86400, order_id=None,
 *          product_class=None, unit_price=nan, amount=nan, severity=0, channel=0,
 *          agent_id=None, outcome=0, score=nan, survey=0, note=None) -> Plan
 *         what the event changes: the touchpoints it creates (status planned,
 *         suppressed or deferred) and those it cancels (TOUCHPOINT_CANCELLED)
 *     simulate(from_, to, step=0) -> SimReport
 *         a capacity preview (fu_planner_simulate: every planned contact made
 *         and answered), not the decision-quality simulation: for that,
 *         simulation_frame() / simulation_csv() (docs/simulate.md)
 *     unknown_classes() -> (count, first): the product class texts the plans
 *         so far met that name no class of the policy (distinct texts, the
 *         first of them or None / nil; fu_planner_unknown_classes()): such
 *         events take their class from unit_price or their order (a warning)
 *     short_agents() -> (count, first, minutes, need): the agents whose shift
 *         meets agents.team_hours for fewer minutes than their calls_per_day
 *         take (an agents CSV without tz read in UTC?), the first of them or
 *         None / nil, its minutes and the minutes needed
 *         (fu_planner_short_agents(), after a plan; a warning)
 *     Lua: plan, plan_customer and simulate take times as epoch seconds or
 *         ISO 8601 texts (bindings/lua/idioms.lua)
 *   Plan (keeps its planner alive): count(status=TOUCHPOINT_PLANNED),
 *     touchpoint(status, i) -> Touchpoint, stats() -> PlanStats,
 *     csv(status_mask=1 << TOUCHPOINT_PLANNED, with_status=False, with_owner=False,
 *     with_agent=False) -> str (the plan CSV of docs/formats.md), write_csv(path,
 *     status_mask=1, with_status=False, with_owner=False, with_agent=False);
 *     Python also: touchpoints(status=TOUCHPOINT_PLANNED) -> list,
 *     created() -> list (statuses planned, suppressed, deferred), cancelled() -> list
 *   Touchpoint (a copy that owns its strings): customer, customer_id, due_from,
 *     due_to, best_at, trigger_at, channel, priority, status, purposes, purpose,
 *     rule, reason, status_rule, order_id, owner, agent
 *   PlanStats: customers, candidates, merged, done, planned, suppressed, deferred,
 *     cancelled, agent_contacts, capacity_per_day, later, late, due, calendar_expired,
 *     unplaceable, unplaceable_customers
 *     (due = planned + merged + suppressed + deferred + later + done)
 *   SimReport: from_, to, steps, customers, customers_due, customers_contacted,
 *     coverage, contacts, suppressed, deferred, max_contacts_72h, max_contacts_7d,
 *     max_contacts_30d, contacts_per_customer_30d, cap_violations, sla_due, sla_met,
 *     sla_attainment, mean_agent_load, max_agent_load, n_days, day(i) -> SimDay
 *     (start, contacts, agent_contacts, capacity, suppressed, deferred)
 *   priority_name(p), touchpoint_status_name(s); constants PRIORITY_*,
 *   TOUCHPOINT_*, PLANNER_BESTTIME, PLANNER_STRICT_CALENDAR, PLANNER_DAILY_CAPACITY.
 * Times are int64 UTC seconds. Failures raise (followup.Error subclasses in
 * Python, error tables in Lua).
 *
 * Methods are written m_<name> and renamed (SWIG would name the helper of an
 * %extend method fu_planner_<name>, colliding with the C API).
 */

%{
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The flags of the plan CSV writer from the csv()/write_csv() arguments. */
static unsigned int fu_swig_plan_csv_flags(bool with_status, bool with_owner, bool with_agent) {
    return (with_status ? FU_PLAN_CSV_STATUS : 0u) | (with_owner ? FU_PLAN_CSV_OWNER : 0u) |
           (with_agent ? FU_PLAN_CSV_AGENT : 0u);
}
%}


/* ------------------------------------------------------------ constants */
%constant int PRIORITY_URGENT = FU_PRIORITY_URGENT;
%constant int PRIORITY_HIGH = FU_PRIORITY_HIGH;
%constant int PRIORITY_NORMAL = FU_PRIORITY_NORMAL;
%constant int PRIORITY_LOW = FU_PRIORITY_LOW;
%constant int TOUCHPOINT_PLANNED = FU_TOUCHPOINT_PLANNED;
%constant int TOUCHPOINT_SUPPRESSED = FU_TOUCHPOINT_SUPPRESSED;
%constant int TOUCHPOINT_DEFERRED = FU_TOUCHPOINT_DEFERRED;
%constant int TOUCHPOINT_CANCELLED = FU_TOUCHPOINT_CANCELLED;
%constant int TOUCHPOINT_LATER = FU_TOUCHPOINT_LATER;
%constant unsigned int PLANNER_BESTTIME = FU_PLANNER_BESTTIME;
%constant unsigned int PLANNER_STRICT_CALENDAR = FU_PLANNER_STRICT_CALENDAR;
%constant unsigned int PLANNER_DAILY_CAPACITY = FU_PLANNER_DAILY_CAPACITY;

%{
static const char *fu_swig_priority_name(int p) {
    const char *s = fu_priority_name(p);
    if (!s) fu_error_set(FU_EINVAL, "%d is not a priority", p);
    return s;
}
static const char *fu_swig_touchpoint_status_name(int s) {
    const char *n = fu_touchpoint_status_name(s);
    if (!n) fu_error_set(FU_EINVAL, "%d is not a touchpoint status", s);
    return n;
}
%}
FU_RAISES(fu_swig_priority_name)
FU_RAISES(fu_swig_touchpoint_status_name)
%rename(priority_name) fu_swig_priority_name;
%rename(touchpoint_status_name) fu_swig_touchpoint_status_name;
const char *fu_swig_priority_name(int p);
const char *fu_swig_touchpoint_status_name(int s);

/* ------------------------------------------------------------ records */
%{
/* A touchpoint copied out of a plan: owns its strings. */
typedef struct fu_swig_touchpoint {
    size_t customer;
    char *customer_id;
    int64_t due_from, due_to, best_at, trigger_at;
    int channel, priority, status;
    unsigned int purposes;
    char *purpose, *rule, *reason, *status_rule, *order_id;
    char *owner;
    char *agent;
} fu_swig_touchpoint;

static void fu_swig_touchpoint_free(fu_swig_touchpoint *t) {
    if (!t) return;
    free(t->customer_id);
    free(t->purpose);
    free(t->rule);
    free(t->reason);
    free(t->status_rule);
    free(t->order_id);
    free(t->owner);
    free(t->agent);
    free(t);
}

static fu_swig_touchpoint *fu_swig_touchpoint_copy(const fu_touchpoint *t) {
    fu_swig_touchpoint *o = (fu_swig_touchpoint *)calloc(1, sizeof *o);
    int failed = !o;
    if (o) {
        o->customer = t->customer;
        o->due_from = t->due_from;
        o->due_to = t->due_to;
        o->best_at = t->best_at;
        o->trigger_at = t->trigger_at;
        o->channel = (int)t->channel;
        o->priority = (int)t->priority;
        o->status = (int)t->status;
        o->purposes = t->purposes;
        o->customer_id = fu_swig_strdup(t->customer_id ? t->customer_id : "", &failed);
        o->purpose = fu_swig_strdup(t->purpose ? t->purpose : "", &failed);
        o->rule = fu_swig_strdup(t->rule ? t->rule : "", &failed);
        o->reason = fu_swig_strdup(t->reason ? t->reason : "", &failed);
        o->status_rule = fu_swig_strdup(t->status_rule ? t->status_rule : "", &failed);
        o->order_id = fu_swig_strdup(t->order_id ? t->order_id : "", &failed);
        o->owner = fu_swig_strdup(t->owner ? t->owner : "", &failed);
        o->agent = fu_swig_strdup(t->agent ? t->agent : "", &failed);
    }
    if (failed) {
        fu_swig_touchpoint_free(o);
        fu_swig_nomem();
        return NULL;
    }
    return o;
}

static fu_swig_touchpoint *fu_swig_plan_touchpoint(const fu_plan *p, int status, size_t i) {
    size_t n = 0;
    if (status < 0 || status > FU_TOUCHPOINT_LATER) {
        fu_error_set(FU_EINVAL, "%d is not a touchpoint status", status);
        return NULL;
    }
    const fu_touchpoint *t = fu_plan_touchpoints(p, (fu_touchpoint_status)status, &n);
    if (i >= n) {
        fu_error_set(FU_EINVAL, "touchpoint %lu out of range (%lu of status %s)", (unsigned long)i,
                      (unsigned long)n, fu_touchpoint_status_name(status));
        return NULL;
    }
    return fu_swig_touchpoint_copy(&t[i]);
}
%}

%rename(Touchpoint) fu_swig_touchpoint;
%nodefaultctor fu_swig_touchpoint;
%immutable;
typedef struct fu_swig_touchpoint {
    size_t customer;      /* index of the customer in the book */
    char *customer_id;
    int64_t due_from;     /* window start, UTC s */
    int64_t due_to;       /* window end, UTC s (inclusive) */
    int64_t best_at;      /* when to contact */
    int64_t trigger_at;
    int channel;          /* CHANNEL_* */
    int priority;         /* PRIORITY_* */
    int status;           /* TOUCHPOINT_* */
    unsigned int purposes;
    char *purpose;
    char *rule;
    char *reason;
    char *status_rule;
    char *order_id;
    char *owner;          /* a step's team or the promise's owner; "" the usual agents */
    char *agent;          /* the agent named for it (Planner.set_agents); "" none */
} fu_swig_touchpoint;
%mutable;
%extend fu_swig_touchpoint {
    ~fu_swig_touchpoint() { fu_swig_touchpoint_free($self); }
}

%rename(PlanStats) fu_plan_stats;
%immutable;
typedef struct fu_plan_stats {
    size_t customers;
    size_t candidates;
    size_t merged;
    size_t done;
    size_t planned;
    size_t suppressed;
    size_t deferred;
    size_t cancelled;
    size_t agent_contacts;
    size_t capacity_per_day;
    size_t later;
    size_t late;
    size_t due;
    size_t calendar_expired;
    size_t unplaceable;
    size_t unplaceable_customers;
} fu_plan_stats;
%mutable;
%extend fu_plan_stats {
    ~fu_plan_stats() { free($self); }
}

%rename(SimDay) fu_sim_day;
%immutable;
typedef struct fu_sim_day {
    int64_t start;
    size_t contacts;
    size_t agent_contacts;
    size_t capacity;
    size_t suppressed;
    size_t deferred;
} fu_sim_day;
%mutable;
%extend fu_sim_day {
    ~fu_sim_day() { free($self); }
}

%rename(SimReport) fu_sim_report;
%rename(from_) fu_sim_report::from;
%ignore fu_sim_report::days;
%nodefaultctor fu_sim_report;
%immutable;
typedef struct fu_sim_report {
    int64_t from, to;
    size_t steps;
    size_t customers;
    size_t customers_due;
    size_t customers_contacted;
    double coverage;
    size_t contacts;
    size_t suppressed;
    size_t deferred;
    unsigned int max_contacts_72h, max_contacts_7d, max_contacts_30d;
    double contacts_per_customer_30d;
    size_t cap_violations;
    size_t sla_due, sla_met;
    double sla_attainment;
    double mean_agent_load;
    size_t max_agent_load;
    size_t n_days;
} fu_sim_report;
%mutable;
%newobject fu_sim_report::m_day;
FU_RAISES(fu_sim_report::m_day)
%rename(day) fu_sim_report::m_day;
%extend fu_sim_report {
    ~fu_sim_report() { fu_sim_report_free($self); }
    fu_sim_day *m_day(size_t i) {
        if (i >= $self->n_days) {
            fu_error_set(FU_EINVAL, "day %lu out of range (%lu days)", (unsigned long)i,
                          (unsigned long)$self->n_days);
            return NULL;
        }
        fu_sim_day *d = (fu_sim_day *)malloc(sizeof *d);
        if (!d) {
            fu_swig_nomem();
            return NULL;
        }
        *d = $self->days[i];
        return d;
    }
}

/* ------------------------------------------------------------ the plan */
#ifdef SWIGLUA
/* (before the types are declared, so that their methods use them) */
/* The planner's user value is {policy, book} (arguments 1 and 2); a plan's
 * user value is that same table, taken from its planner (argument 1 of
 * plan/plan_customer/feed): a plan outlives its planner, and keeping the
 * planner alive would keep the book locked against changes. */
%typemap(out) struct fu_planner * {
    SWIG_NewPointerObj(L, $1, $descriptor(struct fu_planner *), $owner); SWIG_arg++;
    if ($1) {
        lua_createtable(L, 2, 0);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 1);
        lua_pushvalue(L, 2);
        lua_rawseti(L, -2, 2);
        lua_setiuservalue(L, -2, 1);
    }
}
%typemap(out) struct fu_plan * {
    SWIG_NewPointerObj(L, $1, $descriptor(struct fu_plan *), $owner); SWIG_arg++;
    if ($1 && lua_isuserdata(L, 1)) {
        lua_getiuservalue(L, 1, 1);
        lua_setiuservalue(L, -2, 1);
    }
}
#endif
%rename(Plan) fu_plan;
%nodefaultctor fu_plan;
typedef struct fu_plan {} fu_plan;

#ifdef SWIGPYTHON
%feature("kwargs") fu_plan::m_csv;
%feature("kwargs") fu_plan::m_write_csv;
#endif
%newobject fu_plan::m_touchpoint;
%newobject fu_plan::m_stats;
%newobject fu_plan::m_csv;
%typemap(newfree) char *m_csv "fu_free($1);";
FU_RAISES(fu_plan::m_count)
FU_RAISES(fu_plan::m_touchpoint)
FU_RAISES(fu_plan::m_stats)
FU_RAISES(fu_plan::m_csv)
FU_RAISES(fu_plan::m_write_csv)
%rename(count) fu_plan::m_count;
%rename(touchpoint) fu_plan::m_touchpoint;
%rename(stats) fu_plan::m_stats;
%rename(csv) fu_plan::m_csv;
%rename(write_csv) fu_plan::m_write_csv;
%extend fu_plan {
    ~fu_plan() { fu_plan_free($self); }
    size_t m_count(int status = FU_TOUCHPOINT_PLANNED) {
        size_t n = 0;
        if (status < 0 || status > FU_TOUCHPOINT_LATER) {
            fu_error_set(FU_EINVAL, "%d is not a touchpoint status", status);
            return 0;
        }
        fu_plan_touchpoints($self, (fu_touchpoint_status)status, &n);
        return n;
    }
    fu_swig_touchpoint *m_touchpoint(int status, size_t i) { return fu_swig_plan_touchpoint($self, status, i); }
    fu_plan_stats *m_stats() {
        fu_plan_stats *s = (fu_plan_stats *)malloc(sizeof *s);
        if (!s) {
            fu_swig_nomem();
            return NULL;
        }
        fu_plan_get_stats($self, s);
        return s;
    }
    char *m_csv(unsigned int status_mask = 1u << FU_TOUCHPOINT_PLANNED, bool with_status = false,
                bool with_owner = false, bool with_agent = false) {
        char *s = NULL;
        fu_plan_write_csv_to_string($self, status_mask, fu_swig_plan_csv_flags(with_status, with_owner, with_agent),
                                    NULL, &s);
        return s;
    }
    void m_write_csv(const char *path, unsigned int status_mask = 1u << FU_TOUCHPOINT_PLANNED,
                     bool with_status = false, bool with_owner = false, bool with_agent = false) {
        fu_plan_write_csv($self, status_mask, fu_swig_plan_csv_flags(with_status, with_owner, with_agent), path);
    }
}

/* ------------------------------------------------------------ the planner */
/* tier_cycles=None / nil, or a sequence of numbers (helpers of segment.i) */
#ifdef SWIGPYTHON
%typemap(in) const fu_swig_dvec *tier_cycles (double *tcv = NULL, fu_swig_dvec tmp) {
    $1 = NULL;
    if ($input != Py_None) {
        if (fu_py_seg_doubles($input, &tcv, &tmp.n) < 0) SWIG_fail;
        tmp.v = tcv;
        $1 = &tmp;
    }
}
%typemap(typecheck) const fu_swig_dvec *tier_cycles {
    $1 = $input == Py_None || PySequence_Check($input) || PyObject_CheckBuffer($input);
}
#endif
#ifdef SWIGLUA
%typemap(in, checkfn="fu_lua_nil_or_table") const fu_swig_dvec *tier_cycles (double *tcv = NULL, fu_swig_dvec tmp) {
    $1 = NULL;
    if (!lua_isnil(L, $input)) {
        int fu_rc = fu_lua_seg_doubles(L, $input, &tcv, &tmp.n);
        if (fu_rc < 0) {
            fu_error_prefix("$symname");
            fu_lua_push_error(L, fu_rc);
            SWIG_fail;
        }
        tmp.v = tcv;
        $1 = &tmp;
    }
}
%typemap(typecheck) const fu_swig_dvec *tier_cycles { $1 = lua_isnil(L, $input) || lua_istable(L, $input); }
%{
static int fu_lua_nil_or_table(lua_State *L, int idx) { return lua_isnil(L, idx) || lua_istable(L, idx); }
%}
#endif
%typemap(freearg) const fu_swig_dvec *tier_cycles { free(tcv$argnum); }

%{
/* tiers x classes of a policy: at most FU__POL_MAX_TIERS squared (lib/policy_types.h) */
#define FU_SWIG_MAX_TIER_CYCLES 1024
/* fu_planner_tier_cycle_sums() of a planner, value i checked against their number */
static int fu_swig_tier_cycle_parts(const fu_planner *pl, size_t i, int64_t *s, uint64_t *c, size_t *n) {
    int rc = fu_planner_tier_cycle_sums(pl, s, c, FU_SWIG_MAX_TIER_CYCLES, n);
    if (rc) return rc;
    if (i >= *n || *n > FU_SWIG_MAX_TIER_CYCLES)
        return fu_error_set(FU_EINVAL, "tier_cycle_sums: value %zu of %zu", i, *n);
    return FU_OK;
}
%}

/* Planner.set_clv_values(clv) (loop.i): one value per book customer; None / nil removes them */
#ifdef SWIGPYTHON
%typemap(in) const fu_swig_dvec *clv (double *cv = NULL, fu_swig_dvec tmp) {
    $1 = NULL;
    if ($input != Py_None) {
        if (fu_py_seg_doubles($input, &cv, &tmp.n) < 0) SWIG_fail;
        tmp.v = cv;
        $1 = &tmp;
    }
}
%typemap(typecheck) const fu_swig_dvec *clv {
    $1 = $input == Py_None || PySequence_Check($input) || PyObject_CheckBuffer($input);
}
#endif
#ifdef SWIGLUA
%typemap(in, checkfn="fu_lua_nil_or_table") const fu_swig_dvec *clv (double *cv = NULL, fu_swig_dvec tmp) {
    $1 = NULL;
    if (!lua_isnil(L, $input)) {
        int fu_rc = fu_lua_seg_doubles(L, $input, &cv, &tmp.n);
        if (fu_rc < 0) {
            fu_error_prefix("$symname");
            fu_lua_push_error(L, fu_rc);
            SWIG_fail;
        }
        tmp.v = cv;
        $1 = &tmp;
    }
}
%typemap(typecheck) const fu_swig_dvec *clv { $1 = lua_isnil(L, $input) || lua_istable(L, $input); }
#endif
%typemap(freearg) const fu_swig_dvec *clv { free(cv$argnum); }

/* unknown_classes(): the first unknown text, borrowed from the book, as a
 * second result (None / nil when there is none) */
%typemap(in, numinputs=0) const char **first_out (const char *tmp = NULL) "$1 = ($1_ltype)&tmp;"
#ifdef SWIGPYTHON
%typemap(argout) const char **first_out {
    PyObject *fu_first = SWIG_FromCharPtr(*$1);
    if (!fu_first) SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, fu_first);
}
#endif
#ifdef SWIGLUA
%typemap(argout) const char **first_out "if (*$1) lua_pushstring(L, *$1); else lua_pushnil(L); SWIG_arg++;"
#endif

/* short_agents(): the minutes of the first short agent, two more results */
%typemap(in, numinputs=0) int *minutes_out (int tmp = 0), int *need_out (int tmp = 0) "$1 = &tmp;"
#ifdef SWIGPYTHON
%typemap(argout) int *minutes_out, int *need_out "$result = SWIG_Python_AppendOutput($result, PyLong_FromLong(*$1));"
#endif
#ifdef SWIGLUA
%typemap(argout) int *minutes_out, int *need_out "lua_pushinteger(L, (lua_Integer)*$1); SWIG_arg++;"
#endif

%rename(Planner) fu_planner;
typedef struct fu_planner {} fu_planner;

%newobject fu_planner::m_plan;
%newobject fu_planner::m_plan_customer;
%newobject fu_planner::m_feed;
%newobject fu_planner::m_simulate;
FU_RAISES(fu_planner::fu_planner)
FU_RAISES(fu_planner::m_plan)
FU_RAISES(fu_planner::m_plan_customer)
FU_RAISES(fu_planner::m_feed)
FU_RAISES(fu_planner::m_simulate)
FU_RAISES(fu_planner::m_tier_cycles)
FU_RAISES(fu_planner::m_tier_cycle_sum)
FU_RAISES(fu_planner::m_tier_cycle_count)
FU_RAISES(fu_planner::m_unknown_classes)
FU_RAISES(fu_planner::m_short_agents)
%rename(tier_cycles) fu_planner::m_tier_cycles;
%rename(_tier_cycle_sum) fu_planner::m_tier_cycle_sum;
%rename(_tier_cycle_count) fu_planner::m_tier_cycle_count;
%rename(unknown_classes) fu_planner::m_unknown_classes;
%rename(short_agents) fu_planner::m_short_agents;
%rename(plan) fu_planner::m_plan;
%rename(plan_customer) fu_planner::m_plan_customer;
%rename(feed) fu_planner::m_feed;
%rename(simulate) fu_planner::m_simulate;

/* ---- per language: keep the parents alive ---- */
#ifdef SWIGPYTHON
%feature("kwargs") fu_planner::fu_planner;
%feature("kwargs") fu_planner::m_plan;
%feature("kwargs") fu_planner::m_plan_customer;
%feature("kwargs") fu_planner::m_feed;
%feature("kwargs") fu_planner::m_simulate;
/* The planner borrows policy and book; a plan borrows strings from both
 * (not from the planner: a plan outlives it, and keeping the planner alive
 * would keep the book locked against changes, see Book). */
%pythonappend fu_planner::fu_planner %{
    self._parents = (policy, book)
%}
%pythonappend fu_planner::m_unknown_classes %{
    val = tuple(val)
%}
%pythonappend fu_planner::m_short_agents %{
    val = tuple(val)
%}
%pythonappend fu_planner::m_plan %{
    val._parents = self._parents
    from followup.frames import _warn_calendar_expired  # as `followup plan` warns; the caller's line
    _warn_calendar_expired(val)
%}
%pythonappend fu_planner::m_plan_customer %{
    val._parents = self._parents
%}
%pythonappend fu_planner::m_feed %{
    val._parents = self._parents
%}
%extend fu_plan {
%pythoncode %{
    def touchpoints(self, status=TOUCHPOINT_PLANNED):
        """The touchpoints of one status (ordered by best_at, then customer)."""
        return [self.touchpoint(status, i) for i in range(self.count(status))]

    def created(self):
        """After feed(): the touchpoints the event created (planned, suppressed, deferred, later)."""
        return [t for s in (TOUCHPOINT_PLANNED, TOUCHPOINT_SUPPRESSED, TOUCHPOINT_DEFERRED, TOUCHPOINT_LATER)
                for t in self.touchpoints(s)]

    def cancelled(self):
        """After feed(): the planned touchpoints the event cancelled."""
        return self.touchpoints(TOUCHPOINT_CANCELLED)

    def __len__(self):
        return self.count(TOUCHPOINT_PLANNED)
%}
}
#endif


%extend fu_planner {
    fu_planner(const fu_policy *policy, const fu_book *book, unsigned int agents = 0,
               unsigned int calls_per_agent = 0, int64_t default_cycle = 0, bool besttime = false,
               const fu_swig_dvec *tier_cycles = NULL, bool strict_calendar = false, bool capacity_pass = false,
               bool daily_capacity = false) {
        fu_planner_options o = FU_PLANNER_OPTIONS_INIT;
        fu_planner *p = NULL;
        if (!policy || !book) {
            fu_error_set(FU_EINVAL, "Planner: policy and book are required");
            return NULL;
        }
        o.agents = agents;
        o.calls_per_agent = calls_per_agent;
        o.default_cycle = default_cycle;
        if (besttime) o.flags |= FU_PLANNER_BESTTIME;
        if (strict_calendar) o.flags |= FU_PLANNER_STRICT_CALENDAR;
        if (capacity_pass) o.flags |= FU_PLANNER_CAPACITY_PASS;
        if (daily_capacity) o.flags |= FU_PLANNER_DAILY_CAPACITY;
        if (tier_cycles) {
            static const double none = 0.0; /* an empty list is a list, not "compute them" */
            o.tier_cycles = tier_cycles->n ? tier_cycles->v : &none;
            o.n_tier_cycles = tier_cycles->n;
        }
        fu_planner_new(&p, policy, book, &o);
        return p;
    }
    ~fu_planner() { fu_planner_free($self); }

    void m_tier_cycles(fu_swig_dvec *OUT) {
        size_t n = 0;
        if (fu_planner_tier_cycles($self, NULL, 0, &n)) return;
        OUT->v = (double *)malloc((n ? n : 1) * sizeof *OUT->v);
        if (!OUT->v) {
            fu_swig_nomem();
            return;
        }
        fu_planner_tier_cycles($self, OUT->v, n, &OUT->n);
    }

    /* value i (tier-major) of fu_planner_tier_cycle_sums(): the whole
     * seconds summed, and the customers counted (an integer in both
     * languages; the faces build tier_cycle_sums() from them) */
    void m_tier_cycle_sum(size_t i, int64_t *out) {
        int64_t s[FU_SWIG_MAX_TIER_CYCLES];
        uint64_t c[FU_SWIG_MAX_TIER_CYCLES];
        size_t n = 0;
        if (fu_swig_tier_cycle_parts($self, i, s, c, &n)) return;
        *out = s[i];
    }
    void m_tier_cycle_count(size_t i, int64_t *out) {
        int64_t s[FU_SWIG_MAX_TIER_CYCLES];
        uint64_t c[FU_SWIG_MAX_TIER_CYCLES];
        size_t n = 0;
        if (fu_swig_tier_cycle_parts($self, i, s, c, &n)) return;
        if (c[i] > (uint64_t)INT64_MAX) {
            fu_error_set(FU_ERANGE, "tier_cycle_sums: count %zu is %llu, past INT64_MAX", i, (unsigned long long)c[i]);
            return;
        }
        *out = (int64_t)c[i];
    }

    void m_unknown_classes(size_t *out, const char **first_out) {
        fu_planner_unknown_classes($self, out, first_out);
    }

    void m_short_agents(size_t *out, const char **first_out, int *minutes_out, int *need_out) {
        fu_planner_short_agents($self, out, first_out, minutes_out, need_out);
    }

    struct fu_plan *m_plan(int64_t now, int64_t horizon = 86400) {
        fu_plan *p = NULL;
        fu_planner_plan($self, now, horizon, &p);
        return p;
    }
    struct fu_plan *m_plan_customer(size_t customer, int64_t now, int64_t horizon = 86400) {
        fu_plan *p = NULL;
        fu_planner_plan_customer($self, customer, now, horizon, &p);
        return p;
    }
    struct fu_plan *m_feed(const char *customer_id, int64_t at, int kind, int64_t now = FU_BOOK_NO_TIME,
                           int64_t horizon = 86400, const char *order_id = NULL,
                           const char *product_class = NULL, double unit_price = NAN, double amount = NAN,
                           int severity = 0, int channel = 0, const char *agent_id = NULL, int outcome = 0,
                           double score = NAN, int survey = 0, const char *note = NULL) {
        fu_event_in e;
        fu_plan *p = NULL;
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
        e.note = note;
        fu_planner_feed($self, &e, now == FU_BOOK_NO_TIME ? at : now, horizon, &p);
        return p;
    }
    fu_sim_report *m_simulate(int64_t from_, int64_t to, int64_t step = 0) {
        fu_sim_options o = FU_SIM_OPTIONS_INIT;
        fu_sim_report *r = NULL;
        o.step = step;
        fu_planner_simulate($self, from_, to, &o, &r);
        return r;
    }
}
