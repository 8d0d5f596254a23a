/* SWIG interface of fu_guard and fu_contact_log (language-neutral;
 * per-language pieces under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   ContactLog(path=None, readonly=False, sync_normal=False, store_raw_text=False)
 *       (None: in memory; store_raw_text: agent_id and rule as given, not masked)
 *     append(customer_id, at, channel, outcome="attempted", priority="normal",
 *            agent_id=None, rule=None, order_id=None, duration=-1,
 *            callback_at=BOOK_NO_TIME) -> seq
 *     count() -> int
 *     csv(after=0, customer_id=None) -> str   the records as CSV (seq, customer_id,
 *         at (UTC seconds), channel, outcome, priority, agent_id, rule, order_id,
 *         duration, callback_at)
 *     load_book(book)    add the records to a book as contact events
 *     close()            (also: `with` in Python, `<close>` in Lua)
 *   Guard(policy, book, log=None, unknown="policy", retry_after=0,
 *         max_attempts_per_day=0, log_contacts_only=False, besttime=None)
 *       keeps policy, book, log and model alive
 *     check(customer_id, channel, at, priority="normal", rule=None, order_id=None)
 *         -> GuardDecision (.allowed, .rule, .next_allowed, .reason, .past_calendar_data:
 *            "" or the calendar whose official holidays end before the decision's day)
 *     record(customer_id, at, channel, outcome, priority="normal", agent_id=None,
 *            rule=None, order_id=None, duration=-1, callback_at=BOOK_NO_TIME)
 *     check_and_record(customer_id, at, channel, outcome="attempted", ...same as record)
 *         -> GuardDecision: check, and record only when allowed, as one step for
 *            every process sharing the log
 *     refresh()          read what other processes appended
 *     close()
 *   Channels, outcomes and priorities are strings ("phone", "no_answer", "urgent").
 *   Failures raise; using a closed log or guard raises a StateError.
 *   besttime_save(model, path), besttime_load(model, path);
 *   model_params_save(path, bgnbd=None, pareto=None, gammagamma=None),
 *   model_params_load(path) -> ModelParams: bgnbd(), pareto(), gammagamma() -> copy or None.
 *
 * Methods are written m_<name> and renamed (as in commit.i).
 */


%{
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* A log counts the open guards that use it: close() refuses while one is
 * open (the guard would read freed memory), and a log whose wrapper is
 * collected first (a reference cycle) is freed by its last guard. */
typedef struct fu_swig_log {
    fu_contact_log *l;
    int users;  /* open guards over this log */
    int orphan; /* the wrapper was collected while users > 0 */
} fu_swig_log;

typedef struct fu_swig_guard {
    fu_guard *g;
    fu_swig_log *log;      /* NULL when none; its users counts this guard */
    const fu_book *book;   /* locked with the guard (Python) */
    fu_besttime *besttime; /* idem */
} fu_swig_guard;

static void fu_swig_log_free(fu_swig_log *w) {
    fu_contact_log_close(w->l);
    free(w);
}

/* A guard's end: free it and give its log back. */
static void fu_swig_guard_end(fu_swig_guard *w) {
    fu_guard_free(w->g);
    w->g = NULL;
    if (w->log) {
        fu_swig_log *l = w->log;
        w->log = NULL;
        if (--l->users == 0 && l->orphan) fu_swig_log_free(l);
    }
}

static int fu_swig_log_busy(const fu_swig_log *w, const char *fn) {
    if (!w->users) return 0;
    fu_error_set(FU_ESTATE, "%s: still used by an open Guard (close the Guard first)", fn);
    return 1;
}

typedef struct fu_swig_decision {
    bool allowed;
    char *rule; /* the whole rule, a copy (a policy's cap name may be long; review s9 F18) */
    int64_t next_allowed;
    char reason[192];
    char *past_calendar_data; /* "" or the calendar whose official holidays end before the decision's day */
} fu_swig_decision;

static char *fu_swig_copy(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static void fu_swig_decision_free(fu_swig_decision *d) {
    if (!d) return;
    free(d->rule);
    free(d->past_calendar_data);
    free(d);
}

static int fu_swig_open(const void *p, const char *what) {
    if (p) return 1;
    fu_error_set(FU_ESTATE, "%s is closed", what);
    return 0;
}

static int fu_swig_channel(const char *s, fu_channel *out) {
    if (!s) return fu_error_set(FU_EINVAL, "channel is required");
    return fu_channel_from_string(s, strlen(s), out);
}

static int fu_swig_outcome(const char *s, fu_guard_outcome *out) {
    if (!s) return fu_error_set(FU_EINVAL, "outcome is required");
    return fu_guard_outcome_from_string(s, strlen(s), out);
}

static int fu_swig_priority(const char *s, fu_priority *out) {
    if (!s) s = "normal"; /* None / nil: the default, as for every optional argument (review s12 U10) */
    for (int p = 0; p < 4; p++)
        if (strcmp(s, fu_priority_name(p)) == 0) {
            *out = (fu_priority)p;
            return FU_OK;
        }
    return fu_error_set(FU_EINVAL, "priority '%s' is not urgent, high, normal or low", s);
}

static int fu_swig_record(fu_contact_record *r, const char *customer_id, int64_t at, const char *channel,
                          const char *outcome, const char *priority, const char *agent_id, const char *rule,
                          const char *order_id, int64_t duration, int64_t callback_at) {
    fu_contact_record_init(r);
    r->customer_id = customer_id;
    r->at = at;
    r->agent_id = agent_id;
    r->rule = rule;
    r->order_id = order_id;
    r->duration = duration;
    r->callback_at = callback_at;
    int rc = fu_swig_channel(channel, &r->channel);
    if (rc == FU_OK) rc = fu_swig_outcome(outcome, &r->outcome);
    if (rc == FU_OK) rc = fu_swig_priority(priority, &r->priority);
    return rc;
}

static fu_swig_decision *fu_swig_decision_of(const fu_guard_decision *d) {
    fu_swig_decision *out = calloc(1, sizeof *out);
    if (!out) {
        fu_error_set(FU_ENOMEM, "out of memory");
        return NULL;
    }
    out->allowed = d->allowed != 0;
    out->rule = fu_swig_copy(d->rule ? d->rule : "");
    out->next_allowed = d->next_allowed;
    snprintf(out->reason, sizeof out->reason, "%s", d->reason); /* cut at a character (lib/guard.c) */
    out->past_calendar_data = fu_swig_copy(d->past_calendar_data ? d->past_calendar_data : "");
    if (!out->rule || !out->past_calendar_data) {
        fu_swig_decision_free(out);
        fu_error_set(FU_ENOMEM, "out of memory");
        return NULL;
    }
    return out;
}

typedef struct fu_swig_text {
    char *s;
    size_t n, cap;
} fu_swig_text;

static int fu_swig_put(fu_swig_text *t, const char *s) {
    size_t k = strlen(s);
    if (t->n + k + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->n + k + 1) cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) return fu_error_set(FU_ENOMEM, "out of memory");
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->n, s, k + 1);
    t->n += k;
    return FU_OK;
}

/* A CSV field: quoted when it holds a comma, quote or line break. */
static int fu_swig_field(fu_swig_text *t, const char *s, int last) {
    int rc = FU_OK;
    if (s && strpbrk(s, ",\"\r\n")) {
        rc = fu_swig_put(t, "\"");
        for (const char *p = s; rc == FU_OK && *p; p++) {
            char one[3] = {*p, 0, 0};
            if (*p == '"') one[1] = '"';
            rc = fu_swig_put(t, one);
        }
        if (rc == FU_OK) rc = fu_swig_put(t, "\"");
    } else if (s) {
        rc = fu_swig_put(t, s);
    }
    return rc == FU_OK ? fu_swig_put(t, last ? "\n" : ",") : rc;
}

static int fu_swig_csv_row(void *ud, const fu_contact_record *r) {
    fu_swig_text *t = ud;
    char seq[24], at[24], dur[24], cb[24];
    snprintf(seq, sizeof seq, "%lld", (long long)r->seq);
    snprintf(at, sizeof at, "%lld", (long long)r->at);
    if (r->duration >= 0) snprintf(dur, sizeof dur, "%lld", (long long)r->duration);
    else dur[0] = 0;
    if (r->callback_at != FU_BOOK_NO_TIME) snprintf(cb, sizeof cb, "%lld", (long long)r->callback_at);
    else cb[0] = 0;
    const char *f[11] = {seq, r->customer_id, at, fu_channel_name(r->channel), fu_guard_outcome_name(r->outcome),
                         fu_priority_name(r->priority), r->agent_id, r->rule, r->order_id, dur, cb};
    int rc = FU_OK;
    for (int i = 0; i < 11 && rc == FU_OK; i++) rc = fu_swig_field(t, f[i], i == 10);
    return rc;
}
%}

/* ------------------------------------------------------------ decision */
%rename(GuardDecision) fu_swig_decision;
%immutable;
typedef struct fu_swig_decision {
    bool allowed;
    char *rule;
    int64_t next_allowed;
    char reason[192];
    char *past_calendar_data; /* "" or the calendar whose official holidays end before the decision's day */
} fu_swig_decision;
%mutable;
%extend fu_swig_decision {
    ~fu_swig_decision() { fu_swig_decision_free($self); }
}

/* ------------------------------------------------------------ model files */
FU_FALLIBLE(fu_besttime_save)
FU_FALLIBLE(fu_besttime_load)
%rename(besttime_save) fu_besttime_save;
%rename(besttime_load) fu_besttime_load;
int fu_besttime_save(const fu_besttime *model, const char *path);
int fu_besttime_load(fu_besttime *model, const char *path);

/* fitted customer-base models: model_params_save(path, bgnbd=None, pareto=None,
 * gammagamma=None); model_params_load(path) -> ModelParams with bgnbd(),
 * pareto(), gammagamma() (copies, or None / nil when the file has none) */
%{
static void fu_swig_model_params_save(const char *path, const fu_segment_bgnbd *bgnbd,
                                      const fu_segment_pareto *pareto, const fu_segment_gammagamma *gammagamma) {
    fu_model_params m;
    memset(&m, 0, sizeof m);
    if (bgnbd) m.has_bgnbd = 1, m.bgnbd = *bgnbd;
    if (pareto) m.has_pareto = 1, m.pareto = *pareto;
    if (gammagamma) m.has_gammagamma = 1, m.gammagamma = *gammagamma;
    fu_model_params_save(&m, path);
}
static fu_model_params *fu_swig_model_params_load(const char *path) {
    fu_model_params *m = calloc(1, sizeof *m);
    if (!m) {
        fu_error_set(FU_ENOMEM, "out of memory");
        return NULL;
    }
    if (fu_model_params_load(m, path) != FU_OK) {
        free(m);
        return NULL;
    }
    return m;
}
%}
FU_RAISES(fu_swig_model_params_save)
FU_RAISES(fu_swig_model_params_load)
%rename(model_params_save) fu_swig_model_params_save;
%rename(model_params_load) fu_swig_model_params_load;
%newobject fu_swig_model_params_load;
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_model_params_save;
#endif
void fu_swig_model_params_save(const char *path, const fu_segment_bgnbd *bgnbd = NULL,
                               const fu_segment_pareto *pareto = NULL, const fu_segment_gammagamma *gammagamma = NULL);
fu_model_params *fu_swig_model_params_load(const char *path);

%rename(ModelParams) fu_model_params;
%nodefaultctor fu_model_params;
typedef struct fu_model_params {} fu_model_params;
%newobject fu_model_params::m_bgnbd;
%newobject fu_model_params::m_pareto;
%newobject fu_model_params::m_gammagamma;
%rename(bgnbd) fu_model_params::m_bgnbd;
%rename(pareto) fu_model_params::m_pareto;
%rename(gammagamma) fu_model_params::m_gammagamma;
%extend fu_model_params {
    ~fu_model_params() { free($self); }
    fu_segment_bgnbd *m_bgnbd() {
        fu_segment_bgnbd *c = $self->has_bgnbd ? malloc(sizeof *c) : NULL;
        if (c) *c = $self->bgnbd;
        return c;
    }
    fu_segment_pareto *m_pareto() {
        fu_segment_pareto *c = $self->has_pareto ? malloc(sizeof *c) : NULL;
        if (c) *c = $self->pareto;
        return c;
    }
    fu_segment_gammagamma *m_gammagamma() {
        fu_segment_gammagamma *c = $self->has_gammagamma ? malloc(sizeof *c) : NULL;
        if (c) *c = $self->gammagamma;
        return c;
    }
}

/* ------------------------------------------------------------ the log */
#ifdef SWIGPYTHON
/* One log or guard, many threads (docs/bindings.md, "Threads"): each call
 * locks the handle; a guard's calls lock its log, book and best-time model
 * too (record appends to the log and updates the model; check reads the
 * book), so a log shared by a guard and direct appends, or by two guards,
 * sees one call at a time. */
FU_PY_LOCKED(fu_swig_log)
%typemap(check, noblock=1) struct fu_swig_guard *, struct fu_swig_guard const * {
    fu_py_lock_add($1);
    if ($1 && $1->log) fu_py_lock_add_for($1->log, $1);
    if ($1 && $1->book) fu_py_lock_add_for($1->book, $1);
    if ($1 && $1->besttime) fu_py_lock_add_for($1->besttime, $1);
}
%typemap(freearg, noblock=1) struct fu_swig_guard *, struct fu_swig_guard const * { /* may be freed by now */
    fu_py_lock_drop($1);
}
#endif
#ifdef SWIGLUA
/* a guard's user value is {policy, book, log, model} (arguments 1 to 4) */
%typemap(out) struct fu_swig_guard * {
    SWIG_NewPointerObj(L, $1, $descriptor(struct fu_swig_guard *), $owner); SWIG_arg++;
    if ($1) {
        lua_createtable(L, 4, 0);
        for (int k = 1; k <= 4 && k <= lua_gettop(L) - 1; k++) {
            lua_pushvalue(L, k);
            lua_rawseti(L, -2, k);
        }
        lua_setiuservalue(L, -2, 1);
    }
}
#endif

%rename(ContactLog) fu_swig_log;
typedef struct fu_swig_log {} fu_swig_log;
FU_RAISES(fu_swig_log::fu_swig_log)
FU_RAISES(fu_swig_log::m_append)
FU_RAISES(fu_swig_log::m_count)
FU_RAISES(fu_swig_log::m_csv)
FU_RAISES(fu_swig_log::m_load_book)
FU_RAISES(fu_swig_log::m_close)
%rename(append) fu_swig_log::m_append;
%rename(count) fu_swig_log::m_count;
%rename(csv) fu_swig_log::m_csv;
%rename(load_book) fu_swig_log::m_load_book;
%rename(close) fu_swig_log::m_close;
%newobject fu_swig_log::m_csv;
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_log::fu_swig_log;
%feature("kwargs") fu_swig_log::m_append;
%feature("kwargs") fu_swig_log::m_csv;
#endif
%extend fu_swig_log {
    fu_swig_log(const char *path = NULL, bool readonly = false, bool sync_normal = false,
                bool store_raw_text = false) {
        fu_contact_log_options o = FU_CONTACT_LOG_OPTIONS_INIT;
        o.flags = (readonly ? FU_CONTACT_LOG_READONLY : 0u) | (sync_normal ? FU_CONTACT_LOG_SYNC_NORMAL : 0u) |
                  (store_raw_text ? FU_CONTACT_LOG_STORE_RAW_TEXT : 0u);
        fu_contact_log *l = NULL;
        if (fu_contact_log_open(&l, path, &o) != FU_OK) return NULL;
        fu_swig_log *w = calloc(1, sizeof *w);
        if (!w) {
            fu_contact_log_close(l);
            fu_error_set(FU_ENOMEM, "out of memory");
            return NULL;
        }
        w->l = l;
        return w;
    }
    ~fu_swig_log() {
        if ($self->users) $self->orphan = 1; /* its last guard frees it */
        else fu_swig_log_free($self);
    }
    void m_close() {
        if (fu_swig_log_busy($self, "ContactLog.close()")) return;
        fu_contact_log_close($self->l);
        $self->l = NULL;
    }
    int64_t m_append(const char *customer_id, int64_t at, const char *channel, const char *outcome = "attempted",
                     const char *priority = "normal", const char *agent_id = NULL, const char *rule = NULL,
                     const char *order_id = NULL, int64_t duration = -1, int64_t callback_at = FU_BOOK_NO_TIME) {
        fu_contact_record r;
        int64_t seq = 0;
        if (!fu_swig_open($self->l, "the contact log")) return 0;
        if (fu_swig_record(&r, customer_id, at, channel, outcome, priority, agent_id, rule, order_id, duration,
                           callback_at) == FU_OK)
            fu_contact_log_append($self->l, &r, 1, &seq);
        return seq;
    }
    size_t m_count() {
        size_t n = 0;
        if (fu_swig_open($self->l, "the contact log")) fu_contact_log_count($self->l, &n);
        return n;
    }
    char *m_csv(int64_t after = 0, const char *customer_id = NULL) {
        fu_swig_text t = {NULL, 0, 0};
        if (!fu_swig_open($self->l, "the contact log")) return NULL;
        int rc = fu_swig_put(&t, "seq,customer_id,at,channel,outcome,priority,agent_id,rule,order_id,duration,"
                                 "callback_at\n");
        if (rc == FU_OK) rc = fu_contact_log_read($self->l, after, customer_id, fu_swig_csv_row, &t);
        if (rc != FU_OK) {
            free(t.s);
            return NULL;
        }
        return t.s;
    }
    void m_load_book(fu_book *book) {
        if (fu_swig_open($self->l, "the contact log")) fu_contact_log_load_book($self->l, book);
    }
}

/* ------------------------------------------------------------ the guard */
%rename(Guard) fu_swig_guard;
typedef struct fu_swig_guard {} fu_swig_guard;
FU_RAISES(fu_swig_guard::fu_swig_guard)
FU_RAISES(fu_swig_guard::m_check)
FU_RAISES(fu_swig_guard::m_record)
FU_RAISES(fu_swig_guard::m_refresh)
FU_RAISES(fu_swig_guard::m_check_and_record)
%rename(check_and_record) fu_swig_guard::m_check_and_record;
%newobject fu_swig_guard::m_check_and_record;
%rename(check) fu_swig_guard::m_check;
%rename(record) fu_swig_guard::m_record;
%rename(refresh) fu_swig_guard::m_refresh;
%rename(close) fu_swig_guard::m_close;
%newobject fu_swig_guard::m_check;
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_guard::fu_swig_guard;
%feature("kwargs") fu_swig_guard::m_check;
%feature("kwargs") fu_swig_guard::m_record;
%feature("kwargs") fu_swig_guard::m_check_and_record;
%pythonappend fu_swig_guard::fu_swig_guard %{
    self._parents = (args, kwargs)
%}
#endif
%extend fu_swig_guard {
    fu_swig_guard(const fu_policy *policy, const fu_book *book, fu_swig_log *log = NULL,
                  const char *unknown = "policy", int64_t retry_after = 0, int max_attempts_per_day = 0,
                  bool log_contacts_only = false, fu_besttime *besttime = NULL) {
        fu_guard_options o = FU_GUARD_OPTIONS_INIT;
        if (log && !fu_swig_open(log->l, "the contact log")) return NULL;
        if (unknown && strcmp(unknown, "allow") == 0) o.unknown_customer = FU_GUARD_UNKNOWN_ALLOW;
        else if (unknown && strcmp(unknown, "deny") == 0) o.unknown_customer = FU_GUARD_UNKNOWN_DENY;
        else if (unknown && strcmp(unknown, "policy") != 0) {
            fu_error_set(FU_EINVAL, "unknown must be 'policy', 'deny' or 'allow', not '%s'", unknown);
            return NULL;
        }
        o.retry_after = retry_after;
        o.max_attempts_per_day = max_attempts_per_day;
        o.flags = log_contacts_only ? FU_GUARD_LOG_CONTACTS_ONLY : 0u;
        o.besttime = besttime;
        fu_guard *g = NULL;
        if (fu_guard_new(&g, policy, book, log ? log->l : NULL, &o) != FU_OK) return NULL;
        fu_swig_guard *w = calloc(1, sizeof *w);
        if (!w) {
            fu_guard_free(g);
            fu_error_set(FU_ENOMEM, "out of memory");
            return NULL;
        }
        w->g = g;
        w->book = book;
        w->besttime = besttime;
        if (log) {
            w->log = log;
            log->users++;
        }
        return w;
    }
    ~fu_swig_guard() {
        fu_swig_guard_end($self);
        free($self);
    }
    void m_close() { fu_swig_guard_end($self); }
    fu_swig_decision *m_check(const char *customer_id, const char *channel, int64_t at,
                              const char *priority = "normal", const char *rule = NULL,
                              const char *order_id = NULL) {
        fu_guard_request r = FU_GUARD_REQUEST_INIT;
        fu_guard_decision d;
        if (!fu_swig_open($self->g, "the guard")) return NULL;
        r.customer_id = customer_id;
        r.at = at;
        r.rule = rule;
        r.order_id = order_id;
        if (fu_swig_channel(channel, &r.channel) || fu_swig_priority(priority, &r.priority)) return NULL;
        if (fu_guard_check_request($self->g, &r, &d) != FU_OK) return NULL;
        return fu_swig_decision_of(&d);
    }
    fu_swig_decision *m_check_and_record(const char *customer_id, int64_t at, const char *channel,
                                         const char *outcome = "attempted", const char *priority = "normal",
                                         const char *agent_id = NULL, const char *rule = NULL,
                                         const char *order_id = NULL, int64_t duration = -1,
                                         int64_t callback_at = FU_BOOK_NO_TIME) {
        fu_contact_record r;
        fu_guard_decision d;
        if (!fu_swig_open($self->g, "the guard")) return NULL;
        if (fu_swig_record(&r, customer_id, at, channel, outcome, priority, agent_id, rule, order_id, duration,
                           callback_at) != FU_OK ||
            fu_guard_check_and_record($self->g, &r, &d) != FU_OK)
            return NULL;
        return fu_swig_decision_of(&d);
    }
    void m_record(const char *customer_id, int64_t at, const char *channel, const char *outcome,
                  const char *priority = "normal", const char *agent_id = NULL, const char *rule = NULL,
                  const char *order_id = NULL, int64_t duration = -1, int64_t callback_at = FU_BOOK_NO_TIME) {
        fu_contact_record r;
        if (!fu_swig_open($self->g, "the guard")) return;
        if (fu_swig_record(&r, customer_id, at, channel, outcome, priority, agent_id, rule, order_id, duration,
                           callback_at) == FU_OK)
            fu_guard_record($self->g, &r, 1);
    }
    void m_refresh() {
        if (fu_swig_open($self->g, "the guard")) fu_guard_refresh($self->g);
    }
}

#ifdef SWIGPYTHON
%extend fu_swig_log {
%pythoncode %{
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
%}
}
%extend fu_swig_guard {
%pythoncode %{
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
%}
}
#endif

#ifdef SWIGLUA
/* `local g <close> = followup.Guard(...)`: Lua calls __close(handle, error),
 * which closes the handle (SWIG would check the error argument's type, so
 * the metamethod is set by hand on the classes' instance metatables). */
%{
static int fu_lua_close_log(lua_State *L) {
    fu_swig_log *w = NULL;
    if (SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&w, SWIG_TypeQuery("fu_swig_log *"), 0)) && w) {
        if (w->users) return luaL_error(L, "ContactLog:close: still used by an open Guard (close the Guard first)");
        fu_contact_log_close(w->l);
        w->l = NULL;
    }
    return 0;
}
static int fu_lua_close_guard(lua_State *L) {
    fu_swig_guard *w = NULL;
    if (SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&w, SWIG_TypeQuery("fu_swig_guard *"), 0)) && w) {
        fu_swig_guard_end(w);
    }
    return 0;
}
static void fu_lua_set_close(lua_State *L, const char *cls, lua_CFunction fn) {
    SWIG_Lua_get_class_metatable(L, cls);
    if (lua_istable(L, -1)) {
        lua_pushcfunction(L, fn);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
}
%}
%init %{
    fu_lua_set_close(L, "ContactLog", fu_lua_close_log);
    fu_lua_set_close(L, "Guard", fu_lua_close_guard);
%}
#endif
