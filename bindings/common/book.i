/* SWIG interface of fu_book (language-neutral; per-language pieces are under
 * #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   Book(flags=0, max_record_bytes=0, max_field_bytes=0)
 *     read_customers_csv(path), read_events_csv(path)
 *     read_customers_text(text, source_name=None), read_events_text(text, source_name=None)
 *     add_customer(id, tz, annual_spend=nan, first_purchase_at=BOOK_NO_TIME, industry=None,
 *                  is_smb=TRI_UNKNOWN, preferred_windows=None, dnd_windows=None,
 *                  consent_phone=TRI_UNKNOWN, consent_sms=TRI_UNKNOWN,
 *                  consent_email=TRI_UNKNOWN, owner=None) -> index
 *     add_event(customer_id, at, kind, order_id=None, product_class=None, unit_price=nan,
 *               amount=nan, severity=0, channel=0, agent_id=None, outcome=0, score=nan,
 *               survey=0, note=None, priority=0)
 *               priority: a contact's priority + 1 (1 urgent .. 4 low), 0 not given
 *     append_events(batch): the EventBatch's events, all or nothing, merged into each
 *               customer's time order (allowed while planners borrow the book)
 *     generation() -> int: changes with every change (appends included)
 *     finalize(), is_finalized() -> bool, customer_count(), event_count()
 *     find_customer(id) -> index            customer(i) -> Customer (a copy)
 *     events_begin(i), events_end(i) -> the range of customer i's events in event(j)
 *     event(j) -> Event (a copy; string fields are ids for string(id))
 *     string(id) -> str or None (nil)       stats() -> BookStats
 *     customers_csv() -> str, events_csv() -> str, write_customers_csv(path),
 *     write_events_csv(path)
 *   EventBatch(): add(...) with the arguments of add_event (strings copied), count(),
 *     clear()
 *   event_kind_name(k), event_kind_from_string(text) and the same for severity,
 *   channel, outcome, survey and tristate; constants EVENT_*, SEVERITY_*, CHANNEL_*,
 *   OUTCOME_*, SURVEY_*, TRI_*, BOOK_* (flags) and BOOK_NO_TIME.
 * Failures raise (followup.Error subclasses in Python, error tables in Lua)
 * with the file, line, column and column name of bad CSV input.
 *
 * Methods are written m_<name> and renamed (SWIG would name the helper of an
 * %extend method fu_book_<name>, colliding with the C API).
 */

%{
#include <math.h>
#include <stdlib.h>
#include <string.h>
%}


/* ------------------------------------------------------------ constants */
%constant int TRI_UNKNOWN = FU_TRI_UNKNOWN;
%constant int TRI_YES = FU_TRI_YES;
%constant int TRI_NO = FU_TRI_NO;
%constant int EVENT_PURCHASE = FU_EVENT_PURCHASE;
%constant int EVENT_DELIVERY = FU_EVENT_DELIVERY;
%constant int EVENT_INSTALLATION = FU_EVENT_INSTALLATION;
%constant int EVENT_REPAIR = FU_EVENT_REPAIR;
%constant int EVENT_FAULT = FU_EVENT_FAULT;
%constant int EVENT_COMPLAINT = FU_EVENT_COMPLAINT;
%constant int EVENT_INQUIRY = FU_EVENT_INQUIRY;
%constant int EVENT_FEEDBACK = FU_EVENT_FEEDBACK;
%constant int EVENT_CONTACT = FU_EVENT_CONTACT;
%constant int EVENT_SURVEY = FU_EVENT_SURVEY;
%constant int EVENT_ENROLLMENT = FU_EVENT_ENROLLMENT;
%constant int EVENT_COURSE_START = FU_EVENT_COURSE_START;
%constant int EVENT_COURSE_END = FU_EVENT_COURSE_END;
%constant int EVENT_WARRANTY_END = FU_EVENT_WARRANTY_END;
%constant int EVENT_RESOLVED = FU_EVENT_RESOLVED;
%constant int EVENT_KIND_COUNT = FU_EVENT_KIND_COUNT;
%constant int SEVERITY_NONE = FU_SEVERITY_NONE;
%constant int SEVERITY_URGENT = FU_SEVERITY_URGENT;
%constant int SEVERITY_NORMAL = FU_SEVERITY_NORMAL;
%constant int SEVERITY_LOW = FU_SEVERITY_LOW;
%constant int CHANNEL_NONE = FU_CHANNEL_NONE;
%constant int CHANNEL_PHONE = FU_CHANNEL_PHONE;
%constant int CHANNEL_SMS = FU_CHANNEL_SMS;
%constant int CHANNEL_EMAIL = FU_CHANNEL_EMAIL;
%constant int CHANNEL_CHAT = FU_CHANNEL_CHAT;
%constant int CHANNEL_VIDEO = FU_CHANNEL_VIDEO;
%constant int CHANNEL_VISIT = FU_CHANNEL_VISIT;
%constant int OUTCOME_NONE = FU_OUTCOME_NONE;
%constant int OUTCOME_ANSWERED = FU_OUTCOME_ANSWERED;
%constant int OUTCOME_NO_ANSWER = FU_OUTCOME_NO_ANSWER;
%constant int OUTCOME_REFUSED = FU_OUTCOME_REFUSED;
%constant int OUTCOME_VOICEMAIL = FU_OUTCOME_VOICEMAIL;
%constant int OUTCOME_BUSY = FU_OUTCOME_BUSY;
%constant int OUTCOME_WRONG_NUMBER = FU_OUTCOME_WRONG_NUMBER;
%constant int OUTCOME_CALLBACK_REQUESTED = FU_OUTCOME_CALLBACK_REQUESTED;
%constant int SURVEY_NONE = FU_SURVEY_NONE;
%constant int SURVEY_CSAT = FU_SURVEY_CSAT;
%constant int SURVEY_NPS = FU_SURVEY_NPS;
%constant int SURVEY_CES = FU_SURVEY_CES;
%constant unsigned int BOOK_CREATE_CUSTOMERS = FU_BOOK_CREATE_CUSTOMERS;
%constant unsigned int BOOK_SKIP_UNKNOWN_KINDS = FU_BOOK_SKIP_UNKNOWN_KINDS;
%constant unsigned int BOOK_KEEP_DUPLICATES = FU_BOOK_KEEP_DUPLICATES;
%constant unsigned int BOOK_WRITE_RAW_NOTES = FU_BOOK_WRITE_RAW_NOTES;
%constant unsigned int BOOK_WRITE_RAW_CELLS = FU_BOOK_WRITE_RAW_CELLS;
%constant int64_t BOOK_NO_TIME = FU_BOOK_NO_TIME;

/* ------------------------------------------------------------ enum names */
%{
#define FU_SWIG_ENUM(name, type)                                               \
    static const char *fu_swig_##name##_name(int v) {                          \
        const char *s = fu_##name##_name(v);                                   \
        if (!s) fu_error_set(FU_EINVAL, "%d is not a " #name " value", v);    \
        return s;                                                              \
    }                                                                          \
    static int fu_swig_##name##_from_string(const char *text, size_t len) {    \
        type v = (type)0;                                                      \
        fu_##name##_from_string(text, len, &v);                                \
        return (int)v;                                                         \
    }
FU_SWIG_ENUM(event_kind, fu_event_kind)
FU_SWIG_ENUM(severity, fu_severity)
FU_SWIG_ENUM(channel, fu_channel)
FU_SWIG_ENUM(outcome, fu_outcome)
FU_SWIG_ENUM(survey, fu_survey)
FU_SWIG_ENUM(tristate, fu_tristate)
%}
%define FU_SWIG_ENUM_DECL(name)
FU_RAISES(fu_swig_##name##_name)
FU_RAISES(fu_swig_##name##_from_string)
%rename(name##_name) fu_swig_##name##_name;
%rename(name##_from_string) fu_swig_##name##_from_string;
const char *fu_swig_##name##_name(int v);
int fu_swig_##name##_from_string(const char *text, size_t len);
%enddef
FU_SWIG_ENUM_DECL(event_kind)
FU_SWIG_ENUM_DECL(severity)
FU_SWIG_ENUM_DECL(channel)
FU_SWIG_ENUM_DECL(outcome)
FU_SWIG_ENUM_DECL(survey)
FU_SWIG_ENUM_DECL(tristate)

/* ------------------------------------------------------------ records */
%{
/* A customer copied out of a book: owns its strings, so it outlives the book. */
typedef struct fu_swig_customer {
    char *id;
    char *tz;
    double annual_spend;
    int64_t first_purchase_at;
    char *industry;
    int is_smb;
    char *preferred_windows;
    char *dnd_windows;
    int consent_phone;
    int consent_sms;
    int consent_email;
    char *owner;
} fu_swig_customer;

static void fu_swig_customer_free(fu_swig_customer *c) {
    if (!c) return;
    free(c->id);
    free(c->tz);
    free(c->industry);
    free(c->preferred_windows);
    free(c->dnd_windows);
    free(c->owner);
    free(c);
}
%}

%rename(Customer) fu_swig_customer;
%immutable;
typedef struct fu_swig_customer {
    char *id;
    char *tz;                 /* None (nil) for customers created by events */
    double annual_spend;      /* nan when absent */
    int64_t first_purchase_at; /* BOOK_NO_TIME when absent */
    char *industry;
    int is_smb;               /* TRI_* */
    char *preferred_windows;
    char *dnd_windows;
    int consent_phone;
    int consent_sms;
    int consent_email;
    char *owner;              /* the named owner (customers CSV `owner`); None (nil) when absent */
} fu_swig_customer;
%mutable;
%extend fu_swig_customer {
    ~fu_swig_customer() { fu_swig_customer_free($self); }
}

%rename(Event) fu_event;
%ignore fu_event::reserved_;
%immutable;
typedef struct fu_event {
    int64_t at;
    double unit_price;
    double amount;
    uint32_t customer;
    uint32_t order_id;
    uint32_t product_class;
    uint32_t agent_id;
    uint32_t note;
    float score;
    uint8_t kind;
    uint8_t severity;
    uint8_t channel;
    uint8_t outcome;
    uint8_t survey;
    uint8_t priority;
} fu_event;
%mutable;
%extend fu_event {
    ~fu_event() { free($self); }
}

%rename(BookStats) fu_book_stats;
%immutable;
typedef struct fu_book_stats {
    size_t customers;
    size_t events;
    size_t duplicates_dropped;
    size_t unknown_kinds_skipped;
    size_t customers_created;
} fu_book_stats;
%mutable;
%extend fu_book_stats {
    ~fu_book_stats() { free($self); }
}

/* ------------------------------------------------------------ the book */
%rename(Book) fu_book;
/* ------------------------------------------------------------ event batches */
%{
/* Events waiting to be appended (fu_book_append_events): owns copies of
 * their strings. */
typedef struct fu_swig_events {
    fu_event_in *ev;
    size_t n, cap;
    char **str; /* the copies, freed with the batch */
    size_t nstr, strcap;
} fu_swig_events;

static void fu_swig_events_clear(fu_swig_events *b) {
    for (size_t i = 0; i < b->nstr; i++) free(b->str[i]);
    b->n = b->nstr = 0;
}

static void fu_swig_events_free(fu_swig_events *b) {
    if (!b) return;
    fu_swig_events_clear(b);
    free(b->ev);
    free(b->str);
    free(b);
}

/* A copy of `s` owned by the batch (NULL stays NULL); 0 or FU_ENOMEM. */
static int fu_swig_events_keep(fu_swig_events *b, const char *s, const char **out) {
    *out = NULL;
    if (!s) return FU_OK;
    if (b->nstr == b->strcap) {
        size_t cap = b->strcap ? 2 * b->strcap : 16;
        char **p = (char **)realloc(b->str, cap * sizeof *p);
        if (!p) return fu_swig_nomem();
        b->str = p;
        b->strcap = cap;
    }
    int failed = 0;
    char *d = fu_swig_strdup(s, &failed);
    if (failed) return fu_swig_nomem();
    b->str[b->nstr++] = d;
    *out = d;
    return FU_OK;
}
%}

%rename(EventBatch) fu_swig_events;
typedef struct fu_swig_events {} fu_swig_events;
FU_RAISES(fu_swig_events::fu_swig_events)
FU_RAISES(fu_swig_events::m_add)
%rename(add) fu_swig_events::m_add;
%rename(count) fu_swig_events::m_count;
%rename(clear) fu_swig_events::m_clear;
#ifdef SWIGPYTHON
%feature("kwargs") fu_swig_events::m_add;
#endif
%extend fu_swig_events {
    fu_swig_events() {
        fu_swig_events *b = (fu_swig_events *)calloc(1, sizeof(fu_swig_events));
        if (!b) fu_swig_nomem();
        return b;
    }
    ~fu_swig_events() { fu_swig_events_free($self); }

    /* Same arguments as Book.add_event; the strings are copied. */
    void m_add(const char *customer_id, int64_t at, int kind, const char *order_id = NULL,
               const char *product_class = NULL, double unit_price = NAN, double amount = NAN,
               int severity = 0, int channel = 0, const char *agent_id = NULL, int outcome = 0,
               double score = NAN, int survey = 0, const char *note = NULL,
               int priority = 0) {
        if ($self->n == $self->cap) {
            size_t cap = $self->cap ? 2 * $self->cap : 64;
            fu_event_in *p = (fu_event_in *)realloc($self->ev, cap * sizeof *p);
            if (!p) {
                fu_swig_nomem();
                return;
            }
            $self->ev = p;
            $self->cap = cap;
        }
        fu_event_in e;
        fu_event_in_init(&e);
        size_t nstr = $self->nstr;
        if (fu_swig_events_keep($self, customer_id, &e.customer_id) ||
            fu_swig_events_keep($self, order_id, &e.order_id) ||
            fu_swig_events_keep($self, product_class, &e.product_class) ||
            fu_swig_events_keep($self, agent_id, &e.agent_id) || fu_swig_events_keep($self, note, &e.note)) {
            while ($self->nstr > nstr) free($self->str[--$self->nstr]);
            return;
        }
        e.at = at;
        e.kind = (fu_event_kind)kind;
        e.unit_price = unit_price;
        e.amount = amount;
        e.severity = (fu_severity)severity;
        e.channel = (fu_channel)channel;
        e.outcome = (fu_outcome)outcome;
        e.score = score;
        e.survey = (fu_survey)survey;
        e.priority = priority;
        $self->ev[$self->n++] = e;
    }
    size_t m_count() { return $self->n; }
    void m_clear() { fu_swig_events_clear($self); }
}

/* ------------------------------------------------------------ the book */
typedef struct fu_book {} fu_book;

%newobject fu_book::m_customer;
%newobject fu_book::m_event;
%newobject fu_book::m_stats;
%newobject fu_book::m_customers_csv;
%newobject fu_book::m_events_csv;
%typemap(newfree) char *m_customers_csv "fu_free($1);";
%typemap(newfree) char *m_events_csv "fu_free($1);";
FU_RAISES(fu_book::fu_book)
FU_RAISES(fu_book::m_read_customers_csv)
FU_RAISES(fu_book::m_read_events_csv)
FU_RAISES(fu_book::m_read_customers_text)
FU_RAISES(fu_book::m_read_events_text)
FU_RAISES(fu_book::m_add_customer)
FU_RAISES(fu_book::m_add_event)
FU_RAISES(fu_book::m_append_events)
FU_RAISES(fu_book::m_finalize)
FU_RAISES(fu_book::m_find_customer)
FU_RAISES(fu_book::m_customer)
FU_RAISES(fu_book::m_events_begin)
FU_RAISES(fu_book::m_events_end)
FU_RAISES(fu_book::m_event)
FU_RAISES(fu_book::m_stats)
FU_RAISES(fu_book::m_customers_csv)
FU_RAISES(fu_book::m_events_csv)
FU_RAISES(fu_book::m_write_customers_csv)
FU_RAISES(fu_book::m_write_events_csv)
%rename(read_customers_csv) fu_book::m_read_customers_csv;
%rename(read_events_csv) fu_book::m_read_events_csv;
%rename(read_customers_text) fu_book::m_read_customers_text;
%rename(read_events_text) fu_book::m_read_events_text;
%rename(add_customer) fu_book::m_add_customer;
%rename(add_event) fu_book::m_add_event;
%rename(append_events) fu_book::m_append_events;
%rename(generation) fu_book::m_generation;
%rename(finalize) fu_book::m_finalize;
%rename(is_finalized) fu_book::m_is_finalized;
%rename(customer_count) fu_book::m_customer_count;
%rename(event_count) fu_book::m_event_count;
%rename(find_customer) fu_book::m_find_customer;
%rename(customer) fu_book::m_customer;
%rename(events_begin) fu_book::m_events_begin;
%rename(events_end) fu_book::m_events_end;
%rename(event) fu_book::m_event;
%rename(string) fu_book::m_string;
%rename(stats) fu_book::m_stats;
%rename(customers_csv) fu_book::m_customers_csv;
%rename(events_csv) fu_book::m_events_csv;
%rename(write_customers_csv) fu_book::m_write_customers_csv;
%rename(write_events_csv) fu_book::m_write_events_csv;

#ifdef SWIGPYTHON
/* keyword arguments for the long optional parameter lists */
%feature("kwargs") fu_book::fu_book;
%feature("kwargs") fu_book::m_add_customer;
%feature("kwargs") fu_book::m_add_event;
%feature("kwargs") fu_book::m_read_customers_text;
%feature("kwargs") fu_book::m_read_events_text;
#endif

%extend fu_book {
    fu_book(unsigned int flags = 0, size_t max_record_bytes = 0, size_t max_field_bytes = 0) {
        fu_book_options o = FU_BOOK_OPTIONS_INIT;
        o.flags = flags;
        o.max_record_bytes = max_record_bytes;
        o.max_field_bytes = max_field_bytes;
        fu_book *b = NULL;
        fu_book_new(&b, &o);
        return b;
    }
    ~fu_book() { fu_book_free($self); }

    void m_read_customers_csv(const char *path) { fu_book_read_customers_csv($self, path); }
    void m_read_events_csv(const char *path) { fu_book_read_events_csv($self, path); }
    void m_read_customers_text(const char *text, size_t len, const char *source_name = NULL) {
        fu_book_read_customers_csv_from_string($self, text, len, source_name);
    }
    void m_read_events_text(const char *text, size_t len, const char *source_name = NULL) {
        fu_book_read_events_csv_from_string($self, text, len, source_name);
    }

    size_t m_add_customer(const char *id, const char *tz, double annual_spend = NAN,
                          int64_t first_purchase_at = FU_BOOK_NO_TIME, const char *industry = NULL,
                          int is_smb = 0, const char *preferred_windows = NULL,
                          const char *dnd_windows = NULL, int consent_phone = 0, int consent_sms = 0,
                          int consent_email = 0, const char *owner = NULL) {
        fu_customer c;
        fu_customer_init(&c);
        c.id = id;
        c.tz = tz;
        c.annual_spend = annual_spend;
        c.first_purchase_at = first_purchase_at;
        c.industry = industry;
        c.is_smb = (fu_tristate)is_smb;
        c.preferred_windows = preferred_windows;
        c.dnd_windows = dnd_windows;
        c.consent_phone = (fu_tristate)consent_phone;
        c.consent_sms = (fu_tristate)consent_sms;
        c.consent_email = (fu_tristate)consent_email;
        c.owner = owner;
        size_t index = 0;
        fu_book_add_customer($self, &c, &index);
        return index;
    }

    void m_add_event(const char *customer_id, int64_t at, int kind, const char *order_id = NULL,
                     const char *product_class = NULL, double unit_price = NAN, double amount = NAN,
                     int severity = 0, int channel = 0, const char *agent_id = NULL, int outcome = 0,
                     double score = NAN, int survey = 0, const char *note = NULL,
                     int priority = 0) {
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
        e.note = note;
        e.priority = priority;
        fu_book_add_event($self, &e);
    }

    /* fu_book_append_events: all or nothing, allowed while planners borrow the book */
    void m_append_events(fu_swig_events *batch) {
        if (!batch) { /* None / nil: SWIG passes NULL for a missing object */
            fu_error_set(FU_EINVAL, "fu_book_append_events: expected an event batch, got none");
            return;
        }
        fu_book_append_events($self, batch->ev, batch->n);
    }
    uint64_t m_generation() { return fu_book_generation($self); }

    void m_finalize() { fu_book_finalize($self); }
    bool m_is_finalized() { return fu_book_is_finalized($self) != 0; }
    size_t m_customer_count() { return fu_book_customer_count($self); }
    size_t m_event_count() { return fu_book_event_count($self); }

    size_t m_find_customer(const char *id) {
        size_t i = 0;
        if (!id) { /* None / nil: an error, not strlen(NULL) (review s12 U4) */
            fu_error_set(FU_EINVAL, "fu_book_find_customer: the customer id is required (NULL given)");
            return 0;
        }
        fu_book_find_customer($self, id, strlen(id), &i);
        return i;
    }

    fu_swig_customer *m_customer(size_t index) {
        const fu_customer *c = fu_book_customer($self, index);
        if (!c) {
            fu_error_set(FU_EINVAL, "no customer %lu", (unsigned long)index);
            return NULL;
        }
        fu_swig_customer *o = (fu_swig_customer *)calloc(1, sizeof *o);
        int failed = !o;
        if (o) {
            o->id = fu_swig_strdup(c->id, &failed);
            o->tz = fu_swig_strdup(c->tz, &failed);
            o->industry = fu_swig_strdup(c->industry, &failed);
            o->preferred_windows = fu_swig_strdup(c->preferred_windows, &failed);
            o->dnd_windows = fu_swig_strdup(c->dnd_windows, &failed);
            o->owner = fu_swig_strdup(c->owner && *c->owner ? c->owner : NULL, &failed);
            o->annual_spend = c->annual_spend;
            o->first_purchase_at = c->first_purchase_at;
            o->is_smb = (int)c->is_smb;
            o->consent_phone = (int)c->consent_phone;
            o->consent_sms = (int)c->consent_sms;
            o->consent_email = (int)c->consent_email;
        }
        if (failed) {
            fu_swig_customer_free(o);
            fu_swig_nomem();
            return NULL;
        }
        return o;
    }

    size_t m_events_begin(size_t index) {
        const fu_event *ev;
        size_t n;
        if (fu_book_customer_events($self, index, &ev, &n)) return 0;
        return fu_book_event_offsets($self)[index];
    }
    size_t m_events_end(size_t index) {
        const fu_event *ev;
        size_t n;
        if (fu_book_customer_events($self, index, &ev, &n)) return 0;
        return fu_book_event_offsets($self)[index + 1];
    }

    fu_event *m_event(size_t j) {
        size_t n = 0;
        const fu_event *ev = fu_book_events($self, &n);
        if (j >= n) {
            fu_error_set(FU_EINVAL, "no event %lu (the book has %lu)", (unsigned long)j, (unsigned long)n);
            return NULL;
        }
        fu_event *e = (fu_event *)malloc(sizeof *e);
        if (!e) {
            fu_swig_nomem();
            return NULL;
        }
        *e = ev[j];
        return e;
    }

    const char *m_string(uint32_t id) { return fu_book_string($self, id); }

    fu_book_stats *m_stats() {
        fu_book_stats *s = (fu_book_stats *)malloc(sizeof *s);
        if (!s) {
            fu_swig_nomem();
            return NULL;
        }
        fu_book_get_stats($self, s);
        return s;
    }

    char *m_customers_csv() {
        char *s = NULL;
        fu_book_write_customers_csv_to_string($self, NULL, &s);
        return s;
    }
    char *m_events_csv() {
        char *s = NULL;
        fu_book_write_events_csv_to_string($self, NULL, &s);
        return s;
    }
    void m_write_customers_csv(const char *path) { fu_book_write_customers_csv($self, path); }
    void m_write_events_csv(const char *path) { fu_book_write_events_csv($self, path); }
}
