/* SWIG interface of fu_commit (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   Ledger(path=None, flags=0)            a ledger in memory (None) or in a file
 *     add(customer_id, text, created_at, deadline, category=None, owner=None,
 *         created_by=None, rule=None) -> id
 *     add_promised(customer_id, text, created_at, value, unit, calendar=None,
 *                  category=None, owner=None, created_by=None, rule=None) -> id
 *         (unit: DURATION_SECONDS, DURATION_BUSINESS_SECONDS, DURATION_WORKING_DAYS,
 *          DURATION_MONTHS; the deadline is computed in `calendar`)
 *     fulfill(id, at, by=None), cancel(id, at, by=None), tick(now) -> events
 *     query(kind=QUERY_ALL, from_=0, to=0, now=0, owner=None, customer_id=None,
 *           limit=0, events=False) -> CommitmentList
 *     count(kind=QUERY_ALL, from_=0, to=0, now=0, owner=None, customer_id=None) -> int
 *     get(id) -> CommitmentList (one commitment with its events)
 *     on_time(from_, to, now) -> OnTime (.due, .on_time, .rate)
 *     schema_version() -> int
 *   ledger_from_policy(policy, path=None, flags=0) -> Ledger   (the policy's
 *     escalation rules; texts and free-text fields masked as the policy's
 *     redaction section says, extra patterns included: fu_ledger_open_with_policy)
 *   CommitmentList: count(), id(i), customer_id(i), text(i), category(i), owner(i),
 *     created_by(i), rule(i), created_at(i), deadline(i), warn_at(i), breach_at(i),
 *     state(i), level(i), closed_at(i), event_count(i), event_at(i, k),
 *     event_kind(i, k), event_rule(i, k), event_by(i, k)
 *   Extractor(min_lead_seconds=0)  extractor_from_policy(policy) -> Extractor
 *     run(calendar, note, at) -> Extraction
 *   Extraction: promise_count(), promise_start(i), promise_end(i), promise_text(i),
 *     promise_rule(i), promise_deadline(i), promise_risky(i), risk_count(),
 *     risk_start(i), risk_end(i), risk_text(i), risk_rule(i), risk_reason(i)
 *   commit_state_name(s), commit_event_name(k); constants COMMIT_OPEN,
 *   COMMIT_BREACHED, COMMIT_FULFILLED, COMMIT_CANCELLED, COMMIT_EV_*, QUERY_*,
 *   LEDGER_READONLY, LEDGER_STORE_RAW_TEXT, LEDGER_SYNC_NORMAL, COMMIT_NO_TIME.
 * Offsets are byte offsets in the UTF-8 note. Failures raise.
 *
 * Methods are written m_<name> and renamed (SWIG would name the helper of an
 * %extend method fu_ledger_<name>, colliding with the C API).
 */

%{
#include <stdbool.h>
#include <stdlib.h>
%}


%constant int COMMIT_OPEN = FU_COMMIT_OPEN;
%constant int COMMIT_BREACHED = FU_COMMIT_BREACHED;
%constant int COMMIT_FULFILLED = FU_COMMIT_FULFILLED;
%constant int COMMIT_CANCELLED = FU_COMMIT_CANCELLED;
%constant int COMMIT_EV_CREATED = FU_COMMIT_EV_CREATED;
%constant int COMMIT_EV_WARNED = FU_COMMIT_EV_WARNED;
%constant int COMMIT_EV_BREACHED = FU_COMMIT_EV_BREACHED;
%constant int COMMIT_EV_ESCALATED = FU_COMMIT_EV_ESCALATED;
%constant int COMMIT_EV_FULFILLED = FU_COMMIT_EV_FULFILLED;
%constant int COMMIT_EV_CANCELLED = FU_COMMIT_EV_CANCELLED;
%constant int QUERY_ALL = FU_QUERY_ALL;
%constant int QUERY_DUE = FU_QUERY_DUE;
%constant int QUERY_AT_RISK = FU_QUERY_AT_RISK;
%constant int QUERY_OVERDUE = FU_QUERY_OVERDUE;
%constant unsigned int LEDGER_READONLY = FU_LEDGER_READONLY;
%constant unsigned int LEDGER_STORE_RAW_TEXT = FU_LEDGER_STORE_RAW_TEXT;
%constant unsigned int LEDGER_SYNC_NORMAL = FU_LEDGER_SYNC_NORMAL;
%constant int64_t COMMIT_NO_TIME = FU_COMMIT_NO_TIME;
%constant int LEDGER_SCHEMA_VERSION = FU_LEDGER_SCHEMA_VERSION;

%rename(commit_state_name) fu_commit_state_name;
%rename(commit_event_name) fu_commit_event_name;
const char *fu_commit_state_name(int state);
const char *fu_commit_event_name(int kind);

%rename(OnTime) fu_on_time;
typedef struct fu_on_time {
    size_t due;
    size_t on_time;
    double rate;
} fu_on_time;

/* ------------------------------------------------------------ lists */
%{
static const fu_commitment *fu_swig_cl_at(const fu_commitment_list *l, size_t i) {
    const fu_commitment *c = fu_commitment_list_get(l, i);
    if (!c) fu_error_set(FU_EINVAL, "index %zu out of range (%zu commitments)", i, fu_commitment_list_count(l));
    return c;
}
static const fu_commit_event *fu_swig_ev_at(const fu_commitment_list *l, size_t i, size_t k) {
    const fu_commitment *c = fu_swig_cl_at(l, i);
    if (!c) return NULL;
    if (k >= c->n_events) {
        fu_error_set(FU_EINVAL, "event %zu out of range (%zu events)", k, c->n_events);
        return NULL;
    }
    return &c->events[k];
}
%}
%rename(CommitmentList) fu_commitment_list;
%nodefaultctor fu_commitment_list;
typedef struct fu_commitment_list {} fu_commitment_list;
%define FU_CL_FIELD(type, name, expr, dflt)
FU_RAISES(fu_commitment_list::m_##name)
%rename(name) fu_commitment_list::m_##name;
%extend fu_commitment_list {
    type m_##name(size_t i) {
        const fu_commitment *c = fu_swig_cl_at($self, i);
        return c ? (expr) : (dflt);
    }
}
%enddef
%define FU_EV_FIELD(type, name, expr, dflt)
FU_RAISES(fu_commitment_list::m_##name)
%rename(name) fu_commitment_list::m_##name;
%extend fu_commitment_list {
    type m_##name(size_t i, size_t k) {
        const fu_commit_event *e = fu_swig_ev_at($self, i, k);
        return e ? (expr) : (dflt);
    }
}
%enddef
%rename(count) fu_commitment_list::m_count;
%extend fu_commitment_list {
    ~fu_commitment_list() { fu_commitment_list_free($self); }
    size_t m_count() { return fu_commitment_list_count($self); }
}
FU_CL_FIELD(int64_t, id, c->id, 0)
FU_CL_FIELD(const char *, customer_id, c->customer_id, NULL)
FU_CL_FIELD(const char *, text, c->text, NULL)
FU_CL_FIELD(const char *, category, c->category, NULL)
FU_CL_FIELD(const char *, owner, c->owner, NULL)
FU_CL_FIELD(const char *, created_by, c->created_by, NULL)
FU_CL_FIELD(const char *, rule, c->rule, NULL)
FU_CL_FIELD(int64_t, created_at, c->created_at, 0)
FU_CL_FIELD(int64_t, deadline, c->deadline, 0)
FU_CL_FIELD(int64_t, warn_at, c->warn_at, 0)
FU_CL_FIELD(int64_t, breach_at, c->breach_at, 0)
FU_CL_FIELD(int, state, c->state, 0)
FU_CL_FIELD(int, level, c->level, 0)
FU_CL_FIELD(int64_t, closed_at, c->closed_at, 0)
FU_CL_FIELD(size_t, event_count, c->n_events, 0)
FU_EV_FIELD(int64_t, event_at, e->at, 0)
FU_EV_FIELD(int, event_kind, e->kind, 0)
FU_EV_FIELD(int, event_level, e->level, 0)
FU_EV_FIELD(const char *, event_rule, e->rule, NULL)
FU_EV_FIELD(const char *, event_by, e->by, NULL)

/* ------------------------------------------------------------ the ledger */
%{
static fu_ledger *fu_swig_ledger_open(const char *path, unsigned int flags, const fu_ledger_options *base) {
    fu_ledger_options o = FU_LEDGER_OPTIONS_INIT;
    if (base) o = *base;
    o.flags = flags;
    fu_ledger *l = NULL;
    fu_ledger_open(&l, path, &o);
    return l;
}
static fu_ledger *fu_swig_ledger_from_policy(const fu_policy *policy, const char *path, unsigned int flags) {
    /* The policy's redaction section, extra patterns included, masks what
     * is stored (the ledger owns that redactor). */
    fu_ledger *l = NULL;
    fu_ledger_open_with_policy(&l, path, policy, flags);
    return l;
}
static fu_commit_query fu_swig_query(int kind, int64_t from, int64_t to, int64_t now, const char *owner,
                                     const char *customer_id, size_t limit, bool events) {
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    q.kind = kind;
    q.from = from;
    q.to = to;
    q.now = now;
    q.owner = owner;
    q.customer_id = customer_id;
    q.limit = limit;
    q.flags = events ? FU_QUERY_EVENTS : 0;
    return q;
}
%}
%newobject fu_swig_ledger_from_policy;
FU_RAISES(fu_swig_ledger_from_policy)
%rename(ledger_from_policy) fu_swig_ledger_from_policy;
fu_ledger *fu_swig_ledger_from_policy(const fu_policy *policy, const char *path = NULL, unsigned int flags = 0);

%rename(Ledger) fu_ledger;
#ifdef SWIGPYTHON
/* led.query(QUERY_DUE, from_=a, to=b, owner="repair") */
%feature("kwargs") fu_ledger::m_add;
%feature("kwargs") fu_ledger::m_add_promised;
%feature("kwargs") fu_ledger::m_query;
%feature("kwargs") fu_ledger::m_count;
#endif
typedef struct fu_ledger {} fu_ledger;
FU_RAISES(fu_ledger::fu_ledger)
FU_RAISES(fu_ledger::m_add)
FU_RAISES(fu_ledger::m_add_promised)
FU_RAISES(fu_ledger::m_fulfill)
FU_RAISES(fu_ledger::m_cancel)
FU_RAISES(fu_ledger::m_tick)
FU_RAISES(fu_ledger::m_fulfill_from_book)
FU_RAISES(fu_ledger::m_query)
FU_RAISES(fu_ledger::m_count)
FU_RAISES(fu_ledger::m_get)
FU_RAISES(fu_ledger::m_on_time)
FU_RAISES(fu_ledger::m_schema_version)
%newobject fu_ledger::m_query;
%newobject fu_ledger::m_get;
%rename(add) fu_ledger::m_add;
%rename(add_promised) fu_ledger::m_add_promised;
%rename(fulfill) fu_ledger::m_fulfill;
%rename(cancel) fu_ledger::m_cancel;
%rename(tick) fu_ledger::m_tick;
%rename(fulfill_from_book) fu_ledger::m_fulfill_from_book;
%rename(query) fu_ledger::m_query;
%rename(count) fu_ledger::m_count;
%rename(get) fu_ledger::m_get;
%rename(on_time) fu_ledger::m_on_time;
%rename(schema_version) fu_ledger::m_schema_version;
%extend fu_ledger {
    fu_ledger(const char *path = NULL, unsigned int flags = 0) { return fu_swig_ledger_open(path, flags, NULL); }
    ~fu_ledger() { fu_ledger_close($self); }
    int64_t m_add(const char *customer_id, const char *text, int64_t created_at, int64_t deadline,
                  const char *category = NULL, const char *owner = NULL, const char *created_by = NULL,
                  const char *rule = NULL) {
        fu_commit_input in = FU_COMMIT_INPUT_INIT;
        in.customer_id = customer_id;
        in.text = text;
        in.created_at = created_at;
        in.deadline = deadline;
        in.category = category;
        in.owner = owner;
        in.created_by = created_by;
        in.rule = rule;
        int64_t id = 0;
        fu_ledger_add($self, &in, &id);
        return id;
    }
    int64_t m_add_promised(const char *customer_id, const char *text, int64_t created_at, int64_t value,
                           int unit, const fu_calendar *calendar = NULL, const char *category = NULL,
                           const char *owner = NULL, const char *created_by = NULL, const char *rule = NULL) {
        fu_commit_input in = FU_COMMIT_INPUT_INIT;
        in.customer_id = customer_id;
        in.text = text;
        in.created_at = created_at;
        in.promised.value = value;
        in.promised.unit = (fu_duration_unit)unit;
        in.calendar = calendar;
        in.category = category;
        in.owner = owner;
        in.created_by = created_by;
        in.rule = rule;
        int64_t id = 0;
        fu_ledger_add($self, &in, &id);
        return id;
    }
    void m_fulfill(int64_t id, int64_t at, const char *by = NULL) { fu_ledger_fulfill($self, id, at, by); }
    void m_cancel(int64_t id, int64_t at, const char *by = NULL) { fu_ledger_cancel($self, id, at, by); }
    size_t m_tick(int64_t now) {
        size_t n = 0;
        fu_ledger_tick($self, now, &n);
        return n;
    }
    /* the promises the book's resolutions answered by `now`, fulfilled
     * (fu_ledger_fulfill_from_book); returns how many */
    size_t m_fulfill_from_book(const fu_book *book, int64_t now, const char *by = NULL) {
        size_t n = 0;
        fu_ledger_fulfill_from_book($self, book, now, by, &n);
        return n;
    }
    fu_commitment_list *m_query(int kind = FU_QUERY_ALL, int64_t from_ = 0, int64_t to = 0, int64_t now = 0,
                                const char *owner = NULL, const char *customer_id = NULL, size_t limit = 0,
                                bool events = false) {
        fu_commit_query q = fu_swig_query(kind, from_, to, now, owner, customer_id, limit, events);
        fu_commitment_list *l = NULL;
        fu_ledger_query($self, &q, &l);
        return l;
    }
    size_t m_count(int kind = FU_QUERY_ALL, int64_t from_ = 0, int64_t to = 0, int64_t now = 0,
                   const char *owner = NULL, const char *customer_id = NULL) {
        fu_commit_query q = fu_swig_query(kind, from_, to, now, owner, customer_id, 0, false);
        size_t n = 0;
        fu_ledger_count($self, &q, &n);
        return n;
    }
    fu_commitment_list *m_get(int64_t id) {
        fu_commitment_list *l = NULL;
        fu_ledger_get($self, id, &l);
        return l;
    }
    fu_on_time m_on_time(int64_t from_, int64_t to, int64_t now) {
        fu_on_time r = {0, 0, 0.0};
        fu_ledger_on_time($self, from_, to, now, &r);
        return r;
    }
    int m_schema_version() {
        int v = 0;
        fu_ledger_schema_version($self, &v);
        return v;
    }
}

#ifdef SWIGPYTHON
/* close() frees the C ledger now (bindings/python/followup.i); a closed
 * ledger raises StateError; `with Ledger(path) as led:` closes it. */
%extend fu_ledger {
%pythoncode %{
    def close(self) -> None:
        """Close the ledger now (its database file is closed); twice is fine.
        Any later call on it raises followup.StateError."""
        _ledger_release(self)

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return int(self.this) == 0

    def __enter__(self):
        if self.closed:
            raise _core.StateError("Ledger.__enter__: the ledger is closed")
        return self

    def __exit__(self, *exc):
        self.close()
        return False
%}
}
#endif

/* ------------------------------------------------------------ extraction */
%{
static const fu_promise *fu_swig_pr_at(const fu_extraction *x, size_t i) {
    const fu_promise *p = fu_extraction_promise(x, i);
    if (!p) fu_error_set(FU_EINVAL, "promise %zu out of range", i);
    return p;
}
static const fu_risk *fu_swig_rk_at(const fu_extraction *x, size_t i) {
    const fu_risk *r = fu_extraction_risk(x, i);
    if (!r) fu_error_set(FU_EINVAL, "risk %zu out of range", i);
    return r;
}
%}
%rename(Extraction) fu_extraction;
%nodefaultctor fu_extraction;
typedef struct fu_extraction {} fu_extraction;
%define FU_PR_FIELD(type, name, expr, dflt)
FU_RAISES(fu_extraction::m_##name)
%rename(name) fu_extraction::m_##name;
%extend fu_extraction {
    type m_##name(size_t i) {
        const fu_promise *p = fu_swig_pr_at($self, i);
        return p ? (expr) : (dflt);
    }
}
%enddef
%define FU_RK_FIELD(type, name, expr, dflt)
FU_RAISES(fu_extraction::m_##name)
%rename(name) fu_extraction::m_##name;
%extend fu_extraction {
    type m_##name(size_t i) {
        const fu_risk *r = fu_swig_rk_at($self, i);
        return r ? (expr) : (dflt);
    }
}
%enddef
#ifdef SWIGPYTHON
/* Freed with the GIL held and no lock: an extraction is freed when its last
 * proxy goes, so no call can be using it (each call holds its proxy); not
 * releasing the GIL halves the cost of an extraction through Python. */
%nothread fu_extraction::~fu_extraction;
#endif
%rename(promise_count) fu_extraction::m_promise_count;
%rename(risk_count) fu_extraction::m_risk_count;
%extend fu_extraction {
    ~fu_extraction() { fu_extraction_free($self); }
    size_t m_promise_count() { return fu_extraction_promise_count($self); }
    size_t m_risk_count() { return fu_extraction_risk_count($self); }
}
FU_PR_FIELD(size_t, promise_start, p->start, 0)
FU_PR_FIELD(size_t, promise_end, p->end, 0)
FU_PR_FIELD(const char *, promise_text, p->text, NULL)
FU_PR_FIELD(const char *, promise_rule, p->rule, NULL)
FU_PR_FIELD(int64_t, promise_deadline, p->deadline, 0)
FU_PR_FIELD(bool, promise_risky, p->risky != 0, false)
FU_RK_FIELD(size_t, risk_start, r->start, 0)
FU_RK_FIELD(size_t, risk_end, r->end, 0)
FU_RK_FIELD(const char *, risk_text, r->text, NULL)
FU_RK_FIELD(const char *, risk_rule, r->rule, NULL)
FU_RK_FIELD(const char *, risk_reason, r->reason, NULL)

%{
static fu_extractor *fu_swig_extractor_from_policy(const fu_policy *policy) {
    fu_extractor *ex = NULL;
    fu_extractor_new_from_policy(&ex, policy);
    return ex;
}
%}
%newobject fu_swig_extractor_from_policy;
FU_RAISES(fu_swig_extractor_from_policy)
%rename(extractor_from_policy) fu_swig_extractor_from_policy;
fu_extractor *fu_swig_extractor_from_policy(const fu_policy *policy);

%rename(Extractor) fu_extractor;
typedef struct fu_extractor {} fu_extractor;
FU_RAISES(fu_extractor::fu_extractor)
FU_RAISES(fu_extractor::m_run)
%newobject fu_extractor::m_run;
%rename(run) fu_extractor::m_run;
%extend fu_extractor {
    fu_extractor(int64_t min_lead_seconds = 0) {
        fu_extract_options o = FU_EXTRACT_OPTIONS_INIT;
        o.min_lead_seconds = min_lead_seconds;
        fu_extractor *ex = NULL;
        fu_extractor_new(&ex, &o);
        return ex;
    }
    ~fu_extractor() { fu_extractor_free($self); }
    fu_extraction *m_run(const fu_calendar *calendar, const char *text, size_t len, int64_t at) {
        fu_extraction *x = NULL;
        fu_extractor_run($self, calendar, text, len, at, &x);
        return x;
    }
}
