/* fu_guard: "may I contact this customer now?" (include/followup/guard.h).
 *
 * The guard owns a planner over the book and keeps every logged contact in
 * the planner's overlay of events not in the book, so that the planner's own
 * limits (planner.c, fu__guard_ctx_test) count them. On top come the redial
 * rules of a dialer, which read the same events: the guard's contacts carry
 * their guard outcome, rule and call-back time in fields the planner does
 * not read for contacts (see encode()). Customers not in the book (allowed
 * on defaults) keep their contacts here. */
#include "followup/guard.h"
#include "followup/redact.h"

#include "guard_internal.h"
#include "book_decode.h"
#include "errtext.h"
#include "policy_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DAY INT64_C(86400)
#define SEARCH (400 * DAY)      /* how far next_allowed looks */
#define CALLBACK_GRACE (2 * 3600) /* a requested call-back may be made this long after its time */

int fu__contact_log_read_all(fu_contact_log *l, fu_contact_log_fn fn, void *ud, int64_t *max_seq);
int fu__contact_mask(fu_redactor **red, const char *s, char **out);
int fu__contact_log_masks(const fu_contact_log *l);
int fu__contact_log_begin(fu_contact_log *l);
int fu__contact_log_append_commit(fu_contact_log *l, const fu_contact_record *r, size_t n, int64_t *seq_out);
void fu__contact_log_end(fu_contact_log *l);

/* ------------------------------------------------------------ string table */

typedef struct strtab {
    const char **key; /* borrowed from the book or owned in `own` */
    uint32_t *id;
    size_t cap, n;
    char **own;
    size_t nown, own_cap;
} strtab;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ^ (h >> 31);
}

static void strtab_free(strtab *t) {
    for (size_t i = 0; i < t->nown; i++) fu__free(t->own[i]);
    FU_FREE_ALL(t->own, t->key, t->id);
}

static uint32_t strtab_find(const strtab *t, const char *s) {
    if (!s || !*s || !t->cap) return 0;
    for (size_t h = hash_str(s) & (t->cap - 1);; h = (h + 1) & (t->cap - 1)) {
        if (!t->key[h]) return 0;
        if (strcmp(t->key[h], s) == 0) return t->id[h];
    }
}

static int strtab_grow(strtab *t) {
    size_t ncap = t->cap ? t->cap * 2 : 1024;
    const char **nk = fu__calloc(ncap, sizeof *nk);
    uint32_t *ni = fu__calloc(ncap, sizeof *ni);
    if (!nk || !ni) {
        fu__free(nk);
        fu__free(ni);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < t->cap; i++)
        if (t->key[i]) {
            size_t h = hash_str(t->key[i]) & (ncap - 1);
            while (nk[h]) h = (h + 1) & (ncap - 1);
            nk[h] = t->key[i];
            ni[h] = t->id[i];
        }
    fu__free(t->key);
    fu__free(t->id);
    t->key = nk;
    t->id = ni;
    t->cap = ncap;
    return FU_OK;
}

/* The id of `s`: `book_id` when given (a book string), else a new local id
 * with a copy of the text. 0 for NULL / "". */
static int strtab_intern(strtab *t, const char *s, uint32_t book_id, uint32_t *out) {
    *out = 0;
    if (!s || !*s) return FU_OK;
    uint32_t id = strtab_find(t, s);
    if (id) {
        *out = id;
        return FU_OK;
    }
    if ((t->n + 1) * 2 > t->cap && strtab_grow(t)) return FU_ENOMEM;
    const char *key = s;
    if (!book_id) {
        if (t->nown >= 0x7ffffff0u) return fu__error_set(FU_ELIMIT, "guard: too many distinct rules and orders");
        if (t->nown == t->own_cap && FU_GROW(t->own, t->own_cap, t->nown + 1)) return FU_ENOMEM;
        char *d = fu__strdup(s);
        if (!d) return fu__error_nomem();
        t->own[t->nown++] = d;
        key = d;
        book_id = FU__GUARD_LOCAL | (uint32_t)t->nown;
    }
    size_t h = hash_str(key) & (t->cap - 1);
    while (t->key[h]) h = (h + 1) & (t->cap - 1);
    t->key[h] = key;
    t->id[h] = book_id;
    t->n++;
    *out = book_id;
    return FU_OK;
}

/* ------------------------------------------------------------ the guard */

/* Contacts of a customer who is not in the book. */
typedef struct stranger {
    char *id;
    fu_event *ev;
    size_t n, cap;
} stranger;

typedef struct own_range {
    int64_t from, to; /* seqs [from, to) appended by this guard */
} own_range;

struct fu_guard {
    const fu_policy *policy;
    const fu__policy *P;
    const fu_book *book;
    fu_contact_log *log;
    fu_guard_options opt;
    fu_planner *pl;
    fu__guard_ctx *ctx;
    strtab str;
    stranger *st;
    size_t nst, st_cap;
    strtab st_index; /* stranger id -> index + 1 (as a local id) */
    int64_t last_seq;
    own_range *own;
    size_t nown, own_cap;
    fu_customer defaults; /* the customer of an unknown id */
    int mask;             /* rules are masked as the log stores them */
    fu_redactor *red;     /* for that, made on first use */
    pthread_mutex_t mu;   /* recursive: threads sharing the guard take turns */
    int has_mu;
    size_t *seeded; /* per book customer: fu_book_event_count() + 1 when its
                     * book orders were interned (seed_record_order), 0: not yet */
    size_t nseeded, seeded_cap;
};

/* Threads that share one guard take turns (every call that reads or
 * changes it): a dialer's worker threads asking one guard got answers
 * computed over another thread's customer and failed transactions on the
 * log (tests/test_guard_misuse.c). Recursive: check_and_record calls
 * refresh and check. */
static void guard_lock(fu_guard *g) { pthread_mutex_lock(&g->mu); }
static void guard_unlock(fu_guard *g) { pthread_mutex_unlock(&g->mu); }


FU_DEFINE_INIT(fu_guard_options_init, fu_guard_options, FU_GUARD_OPTIONS_INIT)

FU_DEFINE_INIT(fu_guard_request_init, fu_guard_request, FU_GUARD_REQUEST_INIT)

void fu_guard_free(fu_guard *g) {
    if (!g) return;
    fu__guard_ctx_free(g->ctx);
    fu_planner_free(g->pl);
    strtab_free(&g->str);
    strtab_free(&g->st_index);
    for (size_t i = 0; i < g->nst; i++) {
        fu__free(g->st[i].ev);
    }
    fu__free(g->st);
    fu__free(g->own);
    fu__free(g->seeded);
    fu_redactor_free(g->red);
    if (g->has_mu) pthread_mutex_destroy(&g->mu);
    fu__free(g);
}

/* The event that stands for a record in the planner's overlay. Besides what
 * the planner reads (time, channel, book outcome, order, priority in
 * reserved_[0]), the guard's own facts: the guard outcome + 1 in
 * reserved_[1] (0: a book event), the rule's string id in `note`, the
 * call-back time in `amount`. */
static int encode(fu_guard *g, const fu_contact_record *r, uint32_t customer, fu_event *e) {
    memset(e, 0, sizeof *e);
    e->at = r->at;
    e->customer = customer;
    e->kind = FU_EVENT_CONTACT;
    e->channel = (uint8_t)r->channel;
    e->outcome = (uint8_t)fu__guard_book_outcome(r->outcome);
    e->reserved_[0] = (uint8_t)(r->priority + 1);
    e->reserved_[1] = (uint8_t)(r->outcome + 1);
    e->survey = (uint8_t)fu__guard_rule_is_survey(g->P, r->rule); /* counts for survey fatigue */
    e->unit_price = NAN;
    e->amount = r->callback_at != FU_BOOK_NO_TIME ? (double)r->callback_at : NAN;
    e->score = NAN;
    int rc = strtab_intern(&g->str, r->order_id, 0, &e->order_id);
    if (rc == FU_OK) rc = strtab_intern(&g->str, r->rule, 0, &e->note);
    return rc;
}

static int stranger_get(fu_guard *g, const char *id, int create, stranger **out) {
    uint32_t k = strtab_find(&g->st_index, id);
    *out = NULL;
    if (k) {
        *out = &g->st[(k & ~FU__GUARD_LOCAL) - 1];
        return FU_OK;
    }
    if (!create) return FU_OK;
    if (g->nst == g->st_cap && FU_GROW(g->st, g->st_cap, g->nst + 1)) return FU_ENOMEM;
    int rc = strtab_intern(&g->st_index, id, 0, &k);
    if (rc) return rc;
    stranger *s = &g->st[g->nst++];
    memset(s, 0, sizeof *s);
    s->id = g->st_index.own[g->st_index.nown - 1];
    *out = s;
    return FU_OK;
}

static int stranger_add(stranger *s, const fu_event *e) {
    if (s->n == s->cap && FU_GROW(s->ev, s->cap, s->n + 1)) return FU_ENOMEM;
    size_t j = s->n;
    while (j > 0 && s->ev[j - 1].at > e->at) {
        s->ev[j] = s->ev[j - 1];
        j--;
    }
    s->ev[j] = *e;
    s->n++;
    return FU_OK;
}

static void stranger_remove(stranger *s, const fu_event *e) {
    for (size_t j = s->n; j-- > 0;)
        if (memcmp(&s->ev[j], e, sizeof *e) == 0) {
            memmove(&s->ev[j], &s->ev[j + 1], (s->n - j - 1) * sizeof *e);
            s->n--;
            return;
        }
}

/* Where a record goes: a book customer (ci) or a stranger (*s). */
static int locate(fu_guard *g, const char *id, int create, size_t *ci, stranger **s) {
    *s = NULL;
    *ci = FU__GUARD_NO_CUSTOMER;
    if (fu_book_find_customer(g->book, id, strlen(id), ci) == FU_OK) return FU_OK;
    fu_error_clear();
    *ci = FU__GUARD_NO_CUSTOMER;
    if (g->opt.unknown_customer != FU_GUARD_UNKNOWN_ALLOW) {
        char q[FU_ERRTEXT_CELL_CAP]; /* an id: readable unless it has the shape of personal data */
        return fu__error_set(FU_ENOTFOUND, "guard: customer '%s' is not in the book (unknown customers are denied)",
                             fu__errtext_cell_str(q, sizeof q, id));
    }
    return stranger_get(g, id, create, s);
}

/* The book's string id of order `order` among events ev[0..n) (book
 * events only), interned so that later questions find it; 0: none. The
 * guard seeds the book's orders when it is made: this finds those of events
 * appended to the book since (fu_book_append_events), which would otherwise
 * get a guard-local id that matches no book event (a per-order cap missed). */
static uint32_t book_order(fu_guard *g, const fu_event *const *evp, const fu_event *ev, size_t n, const char *order) {
    for (size_t i = 0; i < n; i++) {
        uint32_t id = (evp ? evp[i] : &ev[i])->order_id;
        if (!id || (id & FU__GUARD_LOCAL) || (evp && evp[i]->reserved_[1])) continue;
        const char *s = fu_book_string(g->book, id);
        uint32_t got;
        if (s && strcmp(s, order) == 0) return strtab_intern(&g->str, s, id, &got) == FU_OK ? got : 0;
    }
    return 0;
}

/* Before a record about an order the guard has not seen: the orders of the
 * customer's book events, interned with their book ids, so that the record
 * matches a book order of the same id. Once per customer and book size:
 * a log of records about orders the book does not have (a dialer's own
 * orders) decoded the customer's whole history for each record (review r2
 * M3); an order is found the same way, since every book order of the
 * customer is interned in one pass. */
static int seed_record_order(fu_guard *g, size_t ci, const char *order) {
    if (ci == FU__GUARD_NO_CUSTOMER || !order || !*order || strtab_find(&g->str, order)) return FU_OK;
    size_t nc = fu_book_customer_count(g->book), stamp = fu_book_event_count(g->book) + 1;
    if (ci >= nc) return FU_OK;
    if (g->nseeded < nc) {
        if (FU_GROW(g->seeded, g->seeded_cap, nc)) return FU_ENOMEM;
        memset(g->seeded + g->nseeded, 0, (nc - g->nseeded) * sizeof *g->seeded);
        g->nseeded = nc;
    }
    if (g->seeded[ci] == stamp) return FU_OK; /* no new book event since its orders were interned */
    fu__evbuf buf = {NULL, 0};
    const fu_event *ev;
    size_t n = 0;
    int rc = fu__book_customer_decode(g->book, ci, &buf, &ev, &n);
    for (size_t i = 0; rc == FU_OK && i < n; i++) {
        uint32_t id = ev[i].order_id, got;
        if (id && !(id & FU__GUARD_LOCAL)) rc = strtab_intern(&g->str, fu_book_string(g->book, id), id, &got);
    }
    fu__evbuf_free(&buf);
    if (rc == FU_OK) g->seeded[ci] = stamp;
    return rc;
}

/* Apply one record to memory (the planner's overlay or a stranger). */
static int apply(fu_guard *g, const fu_contact_record *r, fu_event *e, size_t *ci_out) {
    size_t ci;
    stranger *s;
    int rc = locate(g, r->customer_id, 1, &ci, &s);
    if (rc == FU_OK && !s) rc = seed_record_order(g, ci, r->order_id);
    if (rc) return rc;
    if ((rc = encode(g, r, s ? UINT32_MAX : (uint32_t)ci, e))) return rc;
    *ci_out = ci;
    return s ? stranger_add(s, e) : fu__guard_feed(g->pl, ci, e);
}

static void unapply(fu_guard *g, const fu_contact_record *r, const fu_event *e, size_t ci) {
    if (ci != FU__GUARD_NO_CUSTOMER) {
        fu__guard_unfeed(g->pl, ci, e);
        return;
    }
    stranger *s;
    if (stranger_get(g, r->customer_id, 0, &s) == FU_OK && s) stranger_remove(s, e);
}

/* Loading: every record of the log in seq order (mostly time order, so the
 * sorted insert into a customer's array rarely moves anything); the arrays
 * are trimmed to size at the end. */
static int load_one(void *ud, const fu_contact_record *r) {
    fu_guard *g = ud;
    fu_event e;
    size_t ci;
    int rc = apply(g, r, &e, &ci);
    if (rc == FU_ENOTFOUND) { /* a denied stranger's history is not needed */
        fu_error_clear();
        rc = FU_OK;
    }
    return rc;
}

static int load_log(fu_guard *g) {
    int rc = fu__contact_log_read_all(g->log, load_one, g, &g->last_seq);
    if (rc == FU_OK) fu__guard_trim(g->pl);
    return rc;
}

/* Order ids of the book's events, so that the guard's records about an
 * order count with the book's. */
static int seed_orders(fu_guard *g) {
    size_t n = 0;
    fu__evbuf buf = {NULL, 0};
    const fu_event *ev;
    int rc = fu__book_events_decode(g->book, &buf, &ev, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        uint32_t id = ev[i].order_id, got;
        if (id) rc = strtab_intern(&g->str, fu_book_string(g->book, id), id, &got);
    }
    fu__evbuf_free(&buf);
    if (rc) return rc;
    return FU_OK;
}

int fu_guard_new(fu_guard **out, const fu_policy *policy, const fu_book *book, fu_contact_log *log,
                 const fu_guard_options *opts) {
    if (!out || !policy || !book)
        return fu__error_set(FU_EINVAL, "fu_guard_new: %s is NULL", !out ? "out" : !policy ? "policy" : "book");
    *out = NULL;
    fu_guard_options o = FU_GUARD_OPTIONS_INIT;
    if (opts) {
        if (opts->version != FU_GUARD_OPTIONS_VERSION)
            return fu__error_set(FU_EINVAL, "fu_guard_options: unknown version %u", opts->version);
        o = *opts;
    }
    if (o.flags & ~FU_GUARD_LOG_CONTACTS_ONLY)
        return fu__error_set(FU_EINVAL, "fu_guard_options: unknown flags 0x%x", o.flags);
    if (o.unknown_customer != FU_GUARD_UNKNOWN_POLICY && o.unknown_customer != FU_GUARD_UNKNOWN_DENY &&
        o.unknown_customer != FU_GUARD_UNKNOWN_ALLOW)
        return fu__error_set(FU_EINVAL, "fu_guard_options: unknown_customer must be policy, deny or allow");
    if (o.unknown_customer == FU_GUARD_UNKNOWN_POLICY)
        o.unknown_customer = fu__policy_typed(policy)->guard_unknown_allow ? FU_GUARD_UNKNOWN_ALLOW
                                                                           : FU_GUARD_UNKNOWN_DENY;
    if (o.besttime && fu_besttime_customer_count(o.besttime) != fu_book_customer_count(book))
        return fu__error_set(FU_EINVAL, "fu_guard_options: the best-time model has %zu customers, the book %zu",
                             fu_besttime_customer_count(o.besttime), fu_book_customer_count(book));
    fu_guard *g = fu__calloc(1, sizeof *g);
    if (!g) return fu__error_nomem();
    g->policy = policy;
    g->P = fu__policy_typed(policy);
    g->book = book;
    g->log = log;
    g->opt = o;
    g->mask = !log || fu__contact_log_masks(log);
    fu_customer_init(&g->defaults);
    g->defaults.id = "";
    int rc = fu__guard_mutex_init(&g->mu);
    g->has_mu = rc == FU_OK;
    if (rc == FU_OK) rc = fu_planner_new(&g->pl, policy, book, NULL);
    if (rc == FU_OK) rc = fu__guard_ctx_new(&g->ctx, g->pl);
    if (rc == FU_OK) fu__guard_ignore_book_contacts(g->pl, (o.flags & FU_GUARD_LOG_CONTACTS_ONLY) != 0);
    if (rc == FU_OK) fu__guard_set_per_day(g->pl, o.max_attempts_per_day);
    if (rc == FU_OK) rc = seed_orders(g);
    if (rc == FU_OK && log) rc = load_log(g);
    if (rc) {
        fu_guard_free(g);
        return rc;
    }
    *out = g;
    return FU_OK;
}

/* ------------------------------------------------------------ the rules */

/* A question, resolved: the customer's events and the request's ids. */
typedef struct q {
    const fu_guard_request *req;
    const fu_event *const *ev;
    size_t n;
    uint32_t rule, order;
    int has_rule, has_order, exempt;
    int book_redial; /* the book holds a call that stopped or asked for a call-back */
} q;

static int number_channel(int ch) { return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_SMS || ch == FU_CHANNEL_VIDEO; }

static int guard_outcome(const fu_event *e) {
    if (e->reserved_[1]) return e->reserved_[1] - 1;
    switch (e->outcome) {
    case FU_OUTCOME_ANSWERED: return FU_GUARD_ANSWERED;
    case FU_OUTCOME_NO_ANSWER: return FU_GUARD_NO_ANSWER;
    case FU_OUTCOME_REFUSED: return FU_GUARD_REFUSED;
    case FU_OUTCOME_VOICEMAIL: return FU_GUARD_VOICEMAIL;
    case FU_OUTCOME_BUSY: return FU_GUARD_BUSY;
    case FU_OUTCOME_WRONG_NUMBER: return FU_GUARD_WRONG_NUMBER;
    case FU_OUTCOME_CALLBACK_REQUESTED: return FU_GUARD_CALLBACK;
    default: return FU_GUARD_ANSWERED; /* the planner reads a contact without outcome as answered */
    }
}

/* The policy's `redial.<outcome>` entry of a guard outcome (an attempt of
 * unknown outcome is read as no answer). */
static const fu__pol_redial_outcome *policy_outcome(const fu_guard *g, int o) {
    static const int map[] = {
        [FU_GUARD_ATTEMPTED] = FU_OUTCOME_NO_ANSWER, [FU_GUARD_ANSWERED] = FU_OUTCOME_ANSWERED,
        [FU_GUARD_NO_ANSWER] = FU_OUTCOME_NO_ANSWER, [FU_GUARD_BUSY] = FU_OUTCOME_BUSY,
        [FU_GUARD_VOICEMAIL] = FU_OUTCOME_VOICEMAIL, [FU_GUARD_REFUSED] = FU_OUTCOME_REFUSED,
        [FU_GUARD_WRONG_NUMBER] = FU_OUTCOME_WRONG_NUMBER, [FU_GUARD_CALLBACK] = FU_OUTCOME_CALLBACK_REQUESTED};
    return &g->P->redial.outcome[o >= 0 && o < (int)(sizeof map / sizeof map[0]) ? map[o] : FU_OUTCOME_NONE];
}

static int call_channel(int ch) { return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO; }

/* A call-back time given with the outcome (NaN when none); a book event's
 * is its note, read as the planner reads it (an ISO 8601 time after the
 * attempt). */
static int callback_time(const fu_guard *g, const fu_event *e, int64_t *cb) {
    if (e->reserved_[1]) {
        if (isnan(e->amount)) return 0;
        *cb = (int64_t)e->amount;
        return 1;
    }
    const char *note = e->note && !(e->note & FU__GUARD_LOCAL) ? fu_book_string(g->book, e->note) : NULL;
    int64_t r;
    if (!note || fu_time_parse(note, strlen(note), &r) != FU_OK) {
        fu_error_clear();
        return 0;
    }
    if (r <= e->at) return 0;
    *cb = r;
    return 1;
}

static int has_callback_time(const fu_guard *g, const fu_event *e) {
    int64_t cb;
    return callback_time(g, e, &cb);
}

/* The same touchpoint: the same rule; or, neither naming a rule, the same
 * order (or none) on the same channel. Book events name no rule. */
static int same_touchpoint(const q *x, const fu_event *e) {
    uint32_t erule = e->reserved_[1] ? e->note : 0;
    if (x->has_rule || erule) return x->has_rule && erule && erule == x->rule;
    if (e->channel != x->req->channel) return 0;
    return x->has_order ? e->order_id == x->order : !e->order_id;
}

/* Unanswered call attempts before calls stop (`redial.attempts_lifetime`,
 * counted as the planner counts them: in a row, since the last contact that
 * reached the customer) and of this touchpoint since its last answer
 * (`redial.attempts_per_touchpoint`). */
static const char *attempt_limits(const fu_guard *g, const q *x, int64_t t) {
    const fu__pol_redial *R = &g->P->redial;
    if (!call_channel(x->req->channel) || (!R->lifetime && !R->per_touchpoint)) return NULL;
    int row = 0, in_tp = 0;
    for (size_t i = 0; i < x->n; i++) {
        const fu_event *e = x->ev[i];
        if (e->kind != FU_EVENT_CONTACT || e->at > t) continue;
        int reached = e->outcome == FU_OUTCOME_ANSWERED || e->outcome == FU_OUTCOME_NONE ||
                      e->outcome == FU_OUTCOME_CALLBACK_REQUESTED;
        if (reached) row = 0;
        if (same_touchpoint(x, e) && reached) in_tp = 0;
        if (reached || !call_channel(e->channel ? e->channel : FU_CHANNEL_PHONE)) continue;
        row++;
        if (same_touchpoint(x, e)) in_tp++;
    }
    if (R->lifetime && row >= R->lifetime) return "redial.attempts_lifetime";
    if (R->per_touchpoint && in_tp >= R->per_touchpoint) return "redial.attempts_per_touchpoint";
    return NULL;
}

/* The outcomes the policy stops on (`redial.<outcome>.stop`; built in:
 * wrong number, refusal): a wrong number holds every number channel until a
 * later answered contact on one; the others hold their touchpoint. Then the
 * attempt limits. All final. */
static const char *hard_stop(const fu_guard *g, const q *x, int64_t t) {
    int64_t wrong = INT64_MIN, fixed = INT64_MIN;
    int stop_wrong = policy_outcome(g, FU_GUARD_WRONG_NUMBER)->stop;
    for (size_t i = 0; i < x->n; i++) {
        const fu_event *e = x->ev[i];
        if (e->kind != FU_EVENT_CONTACT || e->at > t) continue;
        int o = guard_outcome(e);
        if (o == FU_GUARD_WRONG_NUMBER && number_channel(e->channel)) wrong = e->at;
        if ((o == FU_GUARD_ANSWERED || o == FU_GUARD_CALLBACK) && number_channel(e->channel))
            fixed = e->at; /* the customer answered on a number: it is theirs */
        if (o == FU_GUARD_WRONG_NUMBER) continue; /* book events: no rule, the same order and channel */
        const fu__pol_redial_outcome *ro = policy_outcome(g, o);
        if (ro->stop && same_touchpoint(x, e)) return ro->rule;
    }
    if (stop_wrong && number_channel(x->req->channel) && wrong > fixed) return "redial.wrong_number";
    return attempt_limits(g, x, t);
}

/* A call-back the customer asked for at a given time in this touchpoint,
 * not made yet: before its time nothing; from its time (for CALLBACK_GRACE)
 * the call-back itself, which the gap, caps and redial spacing do not hold
 * back. (Without a time, retry_rule spaces it like an unanswered attempt.) */
static const char *callback_rule(const fu_guard *g, const q *x, int64_t t, int *due, int64_t *retry) {
    *due = 0;
    for (size_t i = x->n; i-- > 0;) {
        const fu_event *e = x->ev[i];
        if (e->kind != FU_EVENT_CONTACT || e->at > t || !same_touchpoint(x, e)) continue;
        int64_t cb;
        if (guard_outcome(e) != FU_GUARD_CALLBACK || !callback_time(g, e, &cb)) return NULL; /* a later attempt made it */
        if (t < cb) {
            *retry = cb;
            return "redial.callback";
        }
        *due = t <= cb + CALLBACK_GRACE;
        return NULL;
    }
    return NULL;
}

/* The last attempt of this touchpoint did not reach the customer (or asked
 * for a call-back without a time): not before its outcome's
 * `redial.<outcome>.retry_after` (fu_guard_options.retry_after > 0: that
 * many business seconds for every outcome). */
static int retry_rule(fu_guard *g, const q *x, int64_t t, const char **deny, int64_t *retry) {
    if (g->opt.retry_after < 0) return FU_OK;
    for (size_t i = x->n; i-- > 0;) {
        const fu_event *e = x->ev[i];
        if (e->kind != FU_EVENT_CONTACT || e->at > t || !same_touchpoint(x, e)) continue;
        int o = guard_outcome(e);
        if (o != FU_GUARD_NO_ANSWER && o != FU_GUARD_BUSY && o != FU_GUARD_VOICEMAIL && o != FU_GUARD_ATTEMPTED &&
            !(o == FU_GUARD_CALLBACK && !has_callback_time(g, e)))
            return FU_OK;
        int64_t due;
        int rc;
        if (g->opt.retry_after > 0) {
            rc = fu_calendar_add_business(g->P->calendar->cal, e->at, g->opt.retry_after, &due);
        } else {
            const fu__pol_redial_outcome *ro = policy_outcome(g, o);
            if (!ro->set || ro->stop) return FU_OK; /* the policy does not space it */
            rc = fu__guard_ctx_add_dur(g->ctx, e->at, &ro->retry, &due);
        }
        if (rc == FU_ERANGE) {
            fu_error_clear();
            due = FU_BESTTIME_NEVER;
        } else if (rc) {
            return rc;
        }
        if (t < due) {
            *deny = "redial.retry_after";
            *retry = due;
        }
        return FU_OK;
    }
    return FU_OK;
}

/* Whether the customer's book history (events without a logged rule) holds
 * a call the policy stops on or a call-back asked for: then the planner's
 * touchpoint windows say which touchpoint it belongs to. */
static int book_redial(const fu_guard *g, const q *x) {
    for (size_t i = 0; i < x->n; i++) {
        const fu_event *e = x->ev[i];
        if (e->kind != FU_EVENT_CONTACT || e->reserved_[1] || !call_channel(e->channel ? e->channel : FU_CHANNEL_PHONE))
            continue;
        if (e->outcome == FU_OUTCOME_CALLBACK_REQUESTED || g->P->redial.outcome[e->outcome].stop) return 1;
    }
    return 0;
}

/* Every rule at instant t: NULL or the first that says no, and in *retry
 * the earliest later instant worth trying. */
static int rules_at(fu_guard *g, const q *x, int64_t t, const char **deny, int64_t *retry) {
    *deny = NULL;
    *retry = FU_BESTTIME_NEVER;
    if ((*deny = hard_stop(g, x, t))) return FU_OK;
    int due = 0;
    if ((*deny = callback_rule(g, x, t, &due, retry))) return FU_OK;
    int rc;
    if (x->book_redial && x->has_rule && call_channel(x->req->channel) &&
        ((rc = fu__guard_ctx_book_redial(g->ctx, t, (int)x->req->channel, x->req->rule,
                                         x->order == UINT32_MAX ? 0 : x->order, deny, retry)) ||
         *deny))
        return rc;
    int prio = (int)x->req->priority;
    rc = fu__guard_ctx_test(g->ctx, t, (int)x->req->channel, &prio, x->req->rule, x->order, due, deny, retry);
    if (rc || *deny || due || x->exempt) return rc;
    return retry_rule(g, x, t, deny, retry);
}

static const char *describe(const char *rule) {
    static const struct {
        const char *rule, *text;
    } k[] = {
        {"guard.unknown_customer", "the customer is not in the book"},
        {"customer.consent_phone", "the customer has not consented to calls"},
        {"customer.consent_sms", "the customer has not consented to messages"},
        {"customer.consent_email", "the customer has not consented to e-mail"},
        {"redial.wrong_number", "the last attempt on this number reached a wrong number"},
        {"redial.refused", "the customer refused this contact"},
        {"redial.callback", "the customer asked to be called back later"},
        {"quiet_hours.allowed", "outside the allowed hours in the customer's time zone"},
        {"customer.dnd_windows", "inside the customer's do-not-disturb window"},
        {"calendars.holidays", "a public holiday in the customer's time zone"},
        {"calendars.hours", "outside the business hours of a business (B2B) customer in its time zone"},
        {"caps.min_gap", "too soon after (or before) another contact"},
        {"redial.retry_after", "an unanswered attempt of this contact was made too recently"},
        {"redial.attempts_per_day", "the customer has had the most call attempts allowed today"},
        {"redial.attempts_lifetime", "too many unanswered call attempts in a row"},
        {"redial.attempts_per_touchpoint", "too many unanswered call attempts of this contact"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (strcmp(k[i].rule, rule) == 0) return k[i].text;
    if (strncmp(rule, "caps.", 5) == 0) return "a contact-frequency cap is reached";
    if (strncmp(rule, "suppressions.", 13) == 0) return "a suppression rule holds routine contacts back";
    return "a policy rule";
}

/* Flag a decision about a day past a calendar's official data (after the
 * reason, if any: "...; calendars.cn.data_until is 2026-12-31: its holidays
 * after it are not known"). */
static void flag_expired(fu_guard *g, const fu_guard_request *req, fu_guard_decision *d) {
    int64_t until, t = d->next_allowed != FU_BESTTIME_NEVER ? d->next_allowed : req->at;
    int business = d->rule && strcmp(d->rule, "redial.retry_after") == 0; /* spaced in business hours */
    const char *name = fu__guard_ctx_expired(g->ctx, t, business, &until);
    fu_date u;
    if (!name || fu_date_from_days(until, &u)) return;
    d->past_calendar_data = name;
    size_t n = strlen(d->reason);
    snprintf(d->reason + n, sizeof d->reason - n,
             "%scalendars.%s.data_until is %04d-%02d-%02d: its holidays after it are not known", n ? "; " : "",
             name, u.year, u.month, u.day);
}

static void explain(fu_guard_decision *d, const fu_calendar *cal) {
    if (d->allowed) {
        d->reason[0] = 0;
        return;
    }
    char when[FU_TIME_TEXT_SIZE + 16] = "never";
    int off = 0;
    if (d->next_allowed != FU_BESTTIME_NEVER) {
        if (!cal || fu_calendar_utc_offset(cal, d->next_allowed, &off)) off = 0;
        /* an offset of local mean time (before a zone's standard time) is
         * not whole minutes: then UTC */
        if (fu_time_format(d->next_allowed, off, 0, when, sizeof when) < 0 &&
            fu_time_format(d->next_allowed, 0, FU_TIME_FORMAT_Z, when, sizeof when) < 0)
            snprintf(when, sizeof when, "?");
    }
    int n = snprintf(d->reason, sizeof d->reason, "%s (%s); next allowed: %s", describe(d->rule), d->rule, when);
    if (n >= (int)sizeof d->reason) { /* a long rule: cut at a character, not inside one (review s9 F18) */
        size_t k = sizeof d->reason - 1;
        while (k > 0 && ((unsigned char)d->reason[k] & 0xC0) == 0x80) k--;
        d->reason[k] = 0;
    }
}

static int check_req(const fu_guard_request *r) {
    if (r->version != FU_GUARD_REQUEST_VERSION)
        return fu__error_set(FU_EINVAL, "fu_guard_request: unknown version %u", r->version);
    if (!r->customer_id || !*r->customer_id) return fu__error_set(FU_EINVAL, "guard: customer_id is required");
    if ((int)r->channel <= FU_CHANNEL_NONE || (int)r->channel >= FU_CHANNEL_COUNT)
        return fu__error_set(FU_EINVAL, "guard: channel %d is not a channel (phone, sms, email, chat, video, visit)",
                             (int)r->channel);
    if ((int)r->priority < FU_PRIORITY_URGENT || (int)r->priority > FU_PRIORITY_LOW)
        return fu__error_set(FU_EINVAL, "guard: priority %d is not a priority (urgent, high, normal, low)",
                             (int)r->priority);
    if (r->at < FU__TIME_MIN || r->at > FU__TIME_MAX)
        return fu__error_set(FU_ERANGE, "guard: instant %lld is outside years 1..9999", (long long)r->at);
    return FU_OK;
}

static void deny_now(fu_guard_decision *d, const char *rule) {
    d->allowed = 0;
    d->rule = rule;
    d->next_allowed = FU_BESTTIME_NEVER;
}

/* Search from req->at for the first instant every rule passes. */
static int search(fu_guard *g, const q *x, fu_guard_decision *out) {
    int64_t t = x->req->at;
    const char *first = NULL;
    int rc;
    for (int iter = 0; iter < 512; iter++) {
        const char *deny;
        int64_t retry;
        rc = rules_at(g, x, t, &deny, &retry);
        if (rc) return rc;
        if (!deny) break;
        if (!first) first = deny;
        /* the search stops 400 days on, or at the end of year 9999 */
        if (retry == FU_BESTTIME_NEVER || retry > x->req->at + SEARCH || retry > FU__TIME_MAX ||
            (retry <= t && t > FU__TIME_MAX - 60)) {
            t = FU_BESTTIME_NEVER;
            break;
        }
        t = retry > t ? retry : t + 60;
        if (iter == 511) t = FU_BESTTIME_NEVER;
    }
    out->allowed = first == NULL;
    out->rule = first;
    out->next_allowed = t;
    return FU_OK;
}

static int check_request(fu_guard *g, const fu_guard_request *req, fu_guard_decision *out) {
    if (!g || !req || !out)
        return fu__error_set(FU_EINVAL, "fu_guard_check_request: %s is NULL", !g ? "guard" : !req ? "req" : "out");
    memset(out, 0, sizeof *out);
    int rc = check_req(req);
    if (rc) return rc;
    size_t ci;
    stranger *s;
    rc = locate(g, req->customer_id, 0, &ci, &s);
    if (rc == FU_ENOTFOUND) {
        fu_error_clear();
        deny_now(out, "guard.unknown_customer");
        explain(out, NULL);
        return FU_OK;
    }
    if (rc) return rc;
    fu_customer cbuf;
    const fu_customer *c = &g->defaults;
    if (ci != FU__GUARD_NO_CUSTOMER) fu__book_customer_get(g->book, ci, &cbuf), c = &cbuf;
    q x;
    memset(&x, 0, sizeof x);
    x.req = req;
    rc = fu__guard_ctx_load(g->ctx, ci, c, s ? s->ev : NULL, s ? s->n : 0, req->at, &x.ev, &x.n);
    if (rc) return rc;
    const fu_calendar *cal = fu__guard_ctx_calendar(g->ctx);
    const char *r = fu__guard_ctx_consent(g->ctx, (int)req->channel);
    if (r) {
        deny_now(out, r);
        explain(out, cal);
        return FU_OK;
    }
    x.has_rule = req->rule && *req->rule;
    x.has_order = req->order_id && *req->order_id;
    char *masked = NULL; /* the rule as the log stores it */
    if (g->mask && (rc = fu__contact_mask(&g->red, req->rule, &masked))) return rc;
    x.rule = strtab_find(&g->str, masked ? masked : req->rule);
    fu_free(masked);
    x.order = strtab_find(&g->str, req->order_id);
    if (x.has_order && !x.order) x.order = book_order(g, x.ev, NULL, x.n, req->order_id);
    if (x.has_rule && !x.rule) x.rule = UINT32_MAX; /* matches nothing logged */
    if (x.has_order && !x.order) x.order = UINT32_MAX;
    x.exempt = (int)((g->P->cap_exempt >> req->priority) & 1u);
    x.book_redial = book_redial(g, &x);
    fu__guard_ctx_survey(g->ctx, req->rule);
    if ((rc = search(g, &x, out))) return rc;
    explain(out, cal);
    flag_expired(g, req, out);
    return FU_OK;
}

int fu_guard_check_request(fu_guard *g, const fu_guard_request *req, fu_guard_decision *out) {
    if (!g || !req || !out)
        return fu__error_set(FU_EINVAL, "fu_guard_check_request: %s is NULL", !g ? "guard" : !req ? "req" : "out");
    guard_lock(g);
    int rc = check_request(g, req, out);
    guard_unlock(g);
    return rc;
}

int fu_guard_check(fu_guard *g, const char *customer_id, fu_channel channel, int64_t at, fu_guard_decision *out) {
    fu_guard_request r = FU_GUARD_REQUEST_INIT;
    r.customer_id = customer_id;
    r.channel = channel;
    r.at = at;
    return fu_guard_check_request(g, &r, out);
}

/* ------------------------------------------------------------ recording */

static int own_add(fu_guard *g, int64_t from, size_t n) {
    if (g->nown == g->own_cap && FU_GROW(g->own, g->own_cap, g->nown + 1)) return FU_ENOMEM;
    g->own[g->nown].from = from;
    g->own[g->nown].to = from + (int64_t)n;
    g->nown++;
    return FU_OK;
}

static int record_check(fu_guard *g, const fu_contact_record *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int rc = fu_contact_record_validate(&r[i]);
        size_t ci;
        stranger *s;
        if (rc == FU_OK) rc = locate(g, r[i].customer_id, 0, &ci, &s);
        if (rc) {
            fu__error_prefix("record %zu", i);
            return rc;
        }
    }
    return FU_OK;
}

/* Record n checked records; `in_tx`: the log's write transaction is open
 * (fu_guard_check_and_record), the append commits it. */
static int record_n(fu_guard *g, const fu_contact_record *r, size_t n, int in_tx) {
    int rc = FU_OK;
    fu_event *ev = fu__malloc(n * sizeof *ev);
    size_t *ci = fu__malloc(n * sizeof *ci);
    fu_contact_record *m = fu__malloc(n * sizeof *m); /* with the rules masked as the log stores them */
    char **mrule = fu__calloc(n, sizeof *mrule);
    if (!ev || !ci || !m || !mrule) rc = fu__error_nomem();
    for (size_t i = 0; i < n && rc == FU_OK; i++) {
        m[i] = r[i];
        if (g->mask && (rc = fu__contact_mask(&g->red, r[i].rule, &mrule[i])) == FU_OK && mrule[i])
            m[i].rule = mrule[i];
    }
    /* memory first (it can be undone), then the log (it cannot) */
    size_t done = 0;
    for (; done < n && rc == FU_OK; done++) rc = apply(g, &m[done], &ev[done], &ci[done]);
    if (rc && done) done--;
    int64_t seq = 0;
    if (rc == FU_OK && g->log) {
        rc = g->nown == g->own_cap ? FU_GROW(g->own, g->own_cap, g->nown + 1) : FU_OK;
        if (rc == FU_OK)
            rc = in_tx ? fu__contact_log_append_commit(g->log, r, n, &seq) : fu_contact_log_append(g->log, r, n, &seq);
        if (rc == FU_OK) own_add(g, seq, n); /* room reserved above */
    }
    if (rc) {
        while (done-- > 0) unapply(g, &m[done], &ev[done], ci[done]);
    } else if (g->opt.besttime) {
        for (size_t i = 0; i < n; i++) {
            if (ci[i] == FU__GUARD_NO_CUSTOMER) continue;
            int o = fu__guard_book_outcome(r[i].outcome);
            if (o == FU_OUTCOME_NONE) continue;
            if (fu_besttime_record(g->opt.besttime, ci[i], r[i].at, (fu_outcome)o)) {
                fu__error_prefix("recorded in the log; the best-time model missed record %zu", i);
                rc = FU_ENOMEM;
                break;
            }
        }
    }
    for (size_t i = 0; mrule && i < n; i++) fu_free(mrule[i]);
    FU_FREE_ALL(mrule, m, ev, ci);
    return rc;
}

static int guard_record(fu_guard *g, const fu_contact_record *r, size_t n) {
    if (!g || (!r && n)) return fu__error_set(FU_EINVAL, "fu_guard_record: %s is NULL", !g ? "guard" : "records");
    int rc = record_check(g, r, n);
    if (rc || !n) return rc;
    return record_n(g, r, n, 0);
}

int fu_guard_record(fu_guard *g, const fu_contact_record *r, size_t n) {
    if (!g) return fu__error_set(FU_EINVAL, "fu_guard_record: guard is NULL");
    guard_lock(g);
    int rc = guard_record(g, r, n);
    guard_unlock(g);
    return rc;
}

static int guard_refresh(fu_guard *g);

static int check_and_record(fu_guard *g, const fu_contact_record *r, fu_guard_decision *out) {
    if (!g || !r || !out)
        return fu__error_set(FU_EINVAL, "fu_guard_check_and_record: %s is NULL", !g ? "guard" : !r ? "record" : "out");
    memset(out, 0, sizeof *out);
    int rc = record_check(g, r, 1);
    if (rc) return rc;
    fu_guard_request req = FU_GUARD_REQUEST_INIT;
    req.customer_id = r->customer_id;
    req.channel = r->channel;
    req.at = r->at;
    req.priority = r->priority;
    req.rule = r->rule;
    req.order_id = r->order_id;
    /* with a log: under its write lock, after reading what other processes
     * appended, so that no other guard is told "allowed" in between */
    if (g->log && (rc = fu__contact_log_begin(g->log))) return rc;
    if (g->log) rc = guard_refresh(g);
    if (rc == FU_OK) rc = check_request(g, &req, out);
    if (rc == FU_OK && out->allowed) rc = record_n(g, r, 1, g->log != NULL);
    if (g->log) fu__contact_log_end(g->log); /* a denial, or a failure before the append */
    return rc;
}

int fu_guard_check_and_record(fu_guard *g, const fu_contact_record *r, fu_guard_decision *out) {
    if (!g || !r || !out)
        return fu__error_set(FU_EINVAL, "fu_guard_check_and_record: %s is NULL", !g ? "guard" : !r ? "record" : "out");
    guard_lock(g);
    int rc = check_and_record(g, r, out);
    guard_unlock(g);
    return rc;
}

/* ------------------------------------------------------------ other writers */

static int is_own(const fu_guard *g, int64_t seq) {
    for (size_t i = 0; i < g->nown; i++)
        if (seq >= g->own[i].from && seq < g->own[i].to) return 1;
    return 0;
}

typedef struct refresh_ctx {
    fu_guard *g;
    int64_t max;
} refresh_ctx;

static int refresh_one(void *ud, const fu_contact_record *r) {
    refresh_ctx *c = ud;
    if (is_own(c->g, r->seq)) {
        c->max = r->seq;
        return FU_OK;
    }
    fu_event e;
    size_t ci;
    int rc = apply(c->g, r, &e, &ci);
    if (rc == FU_ENOTFOUND) { /* a denied stranger */
        fu_error_clear();
        return FU_OK;
    }
    if (rc == FU_OK && c->g->opt.besttime && ci != FU__GUARD_NO_CUSTOMER) {
        int o = fu__guard_book_outcome(r->outcome);
        if (o != FU_OUTCOME_NONE) rc = fu_besttime_record(c->g->opt.besttime, ci, r->at, (fu_outcome)o);
    }
    if (rc == FU_OK) c->max = r->seq;
    return rc;
}

static int guard_refresh(fu_guard *g) {
    if (!g) return fu__error_set(FU_EINVAL, "fu_guard_refresh: guard is NULL");
    if (!g->log) return FU_OK;
    refresh_ctx c = {g, g->last_seq};
    int rc = fu_contact_log_read(g->log, g->last_seq, NULL, refresh_one, &c);
    g->last_seq = c.max;
    /* ranges at or below what has been read are done with */
    size_t k = 0;
    for (size_t i = 0; i < g->nown; i++)
        if (g->own[i].to - 1 > g->last_seq) g->own[k++] = g->own[i];
    g->nown = k;
    return rc;
}

int fu_guard_refresh(fu_guard *g) {
    if (!g) return fu__error_set(FU_EINVAL, "fu_guard_refresh: guard is NULL");
    guard_lock(g);
    int rc = guard_refresh(g);
    guard_unlock(g);
    return rc;
}
