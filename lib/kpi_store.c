/* fu_kpi's data: the customers and events are a fu_book's.
 *
 * The book given to fu_kpi_add_book() is borrowed when it is the engine's
 * first data (fu__book_borrow: it refuses changes until the engine is
 * freed); anything else (records given through the API, a second book, due
 * items or commitments naming a customer the borrowed book lacks) goes into
 * a book the engine owns (FU_BOOK_CREATE_CUSTOMERS, FU_BOOK_KEEP_DUPLICATES),
 * which starts as a copy of the borrowed one if there was one. The engine
 * keeps only what a book does not hold (kpi_internal.h, kcx / kmap / kstr),
 * and decodes one customer's events at a time for the pass (kev).
 *
 * Two rules of the engine carried over from when it kept its own copy:
 * - a policy product class: events of a borrowed book take it from the unit
 *   price when there is one, else from the class name; events given through
 *   the API (and books copied into the own book) from the unit price, else
 *   from the name when the price falls in no class (a copied book's event
 *   whose price falls in no class loses its class name to keep its rule);
 * - a contact's priority is the event's `priority` field: set by
 *   fu_kpi_add_events_priority() in the own book, and read from a borrowed
 *   book's events too (a priority column of the events CSV counts); the
 *   engine never reads notes: the notes of events given to it are not kept. */
#include "kpi_internal.h"
#include "book_decode.h"
#include "book_internal.h"
#include "errtext.h"

/* ---- kmap: book string id -> small value ---- */

static int kmap_get(const kmap *m, uint32_t key, uint32_t *val) {
    if (!m->cap) return 0;
    size_t j = (key * 2654435761u) & (m->cap - 1);
    while (m->key[j]) {
        if (m->key[j] == key) {
            *val = m->val[j];
            return 1;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return 0;
}

static int kmap_put(kmap *m, uint32_t key, uint32_t val) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        uint32_t *nk = fu__calloc(ncap, sizeof *nk), *nv = fu__malloc(ncap * sizeof *nv);
        if (!nk || !nv) {
            fu__free(nk);
            fu__free(nv);
            return fu__error_nomem();
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->key[i]) continue;
            size_t j = (m->key[i] * 2654435761u) & (ncap - 1);
            while (nk[j]) j = (j + 1) & (ncap - 1);
            nk[j] = m->key[i];
            nv[j] = m->val[i];
        }
        fu__free(m->key);
        fu__free(m->val);
        m->key = nk;
        m->val = nv;
        m->cap = ncap;
    }
    size_t j = (key * 2654435761u) & (m->cap - 1);
    while (m->key[j] && m->key[j] != key) j = (j + 1) & (m->cap - 1);
    if (!m->key[j]) m->n++;
    m->key[j] = key;
    m->val[j] = val;
    return FU_OK;
}

static void kmap_free(kmap *m) {
    fu__free(m->key);
    fu__free(m->val);
    memset(m, 0, sizeof *m);
}

/* ---- the store ---- */

void fu__kpi_store_free(fu_kpi *k) {
    if (k->own) fu_book_free(k->own);
    else if (k->bk) fu__book_release(k->bk);
    k->own = NULL;
    k->bk = NULL;
    fu__free(k->cx);
    k->cx = NULL;
    k->n_cx = k->cap_cx = 0;
    kmap_free(&k->amap);
    kmap_free(&k->cmap);
}

size_t fu__kpi_customer_count(const fu_kpi *k) { return k->bk ? fu_book_customer_count(k->bk) : 0; }

/* Make cx cover every customer of the book. */
static int cx_fit(fu_kpi *k) {
    size_t n = fu__kpi_customer_count(k);
    if (n <= k->n_cx) return FU_OK;
    int rc = FU_GROW(k->cx, k->cap_cx, n);
    if (rc) return rc;
    memset(k->cx + k->n_cx, 0, (n - k->n_cx) * sizeof *k->cx);
    k->n_cx = n;
    return FU_OK;
}

static void changed(fu_kpi *k) { k->computed = 0; }

static int intern_cstr(fu_kpi *k, const char *s, uint32_t *out) {
    return fu__kpi_intern(k, s, s ? strlen(s) : 0, out);
}

static int new_book(fu_book **out) {
    fu_book_options o = FU_BOOK_OPTIONS_INIT;
    o.flags = FU_BOOK_CREATE_CUSTOMERS | FU_BOOK_KEEP_DUPLICATES;
    return fu_book_new(out, &o);
}

/* Customer record `c` of another book as the own book keeps it: what the
 * KPIs read (the rest is not copied). */
static fu_customer customer_copy(const fu_customer *c) {
    fu_customer o;
    fu_customer_init(&o);
    o.id = c->id;
    o.tz = "UTC"; /* not read by the KPIs */
    o.annual_spend = c->annual_spend;
    o.first_purchase_at = c->first_purchase_at;
    o.industry = c->industry;
    o.is_smb = c->is_smb;
    return o;
}

/* Event `e` of book `b` as an input to the own book (see the file comment
 * for the product class). */
static void event_copy(const fu_kpi *k, const fu_book *b, const fu_event *e, fu_event_in *o) {
    fu__event_in_of(b, e, o);
    o->note = NULL;
    o->priority = e->priority;
    if (!isnan(e->unit_price) && e->unit_price >= 0 && fu__policy_class_of(k->pol, e->unit_price) < 0)
        o->product_class = NULL;
}

/* Add book b's events (all or nothing) to `dst`. */
static int copy_events(const fu_kpi *k, fu_book *dst, const fu_book *b) {
    size_t ne = 0;
    fu__evbuf buf = {NULL, 0};
    const fu_event *be;
    int rc = fu__book_events_decode(b, &buf, &be, &ne);
    if (rc || !ne) return rc;
    fu_event_in *in = fu__malloc(ne * sizeof *in);
    if (!in) {
        fu__evbuf_free(&buf);
        return fu__error_nomem();
    }
    for (size_t i = 0; i < ne; i++) event_copy(k, b, &be[i], &in[i]);
    fu__evbuf_free(&buf);
    rc = fu_book_add_events(dst, in, ne);
    fu__free(in);
    return rc;
}

/* Make the engine own its book: a new one, or a copy of the borrowed one
 * (same customer order, so customer indices stay). */
static int own_book(fu_kpi *k) {
    if (k->own) return FU_OK;
    fu_book *nb = NULL;
    int rc = new_book(&nb);
    if (rc) return rc;
    if (k->bk) {
        size_t nc = fu_book_customer_count(k->bk);
        fu_customer *cs = nc ? fu__malloc(nc * sizeof *cs) : NULL;
        if (nc && !cs) rc = fu__error_nomem();
        for (size_t i = 0; i < nc && !rc; i++) {
            fu_customer cbuf;
            fu__book_customer_get(k->bk, i, &cbuf);
            cs[i] = customer_copy(&cbuf);
        }
        if (!rc) rc = fu_book_add_customers(nb, cs, nc);
        fu__free(cs);
        if (!rc) rc = copy_events(k, nb, k->bk);
        if (!rc) rc = fu_book_finalize(nb);
        if (rc) {
            fu_book_free(nb);
            return rc;
        }
        fu__book_release(k->bk);
        kmap_free(&k->cmap); /* string ids of another book */
        kmap_free(&k->amap);
    }
    k->own = nb;
    k->bk = nb;
    return FU_OK;
}

/* Find customer `id` in the book: 1 found (*out), 0 not (no error left set). */
static int cust_find(const fu_kpi *k, const char *id, size_t *out) {
    if (!k->bk) return 0;
    if (fu_book_find_customer(k->bk, id, strlen(id), out) == FU_OK) return 1;
    fu_error_clear();
    return 0;
}

/* The index of customer `id`, created (nothing known of it) when absent. */
static int cust_index(fu_kpi *k, const char *id, uint32_t *out) {
    size_t i;
    if (cust_find(k, id, &i)) {
        *out = (uint32_t)i;
        return FU_OK;
    }
    int rc = own_book(k);
    if (rc) return rc;
    fu_customer c;
    fu_customer_init(&c);
    c.id = id;
    c.tz = "UTC";
    rc = fu_book_add_customer(k->own, &c, &i);
    if (!rc) rc = cx_fit(k);
    if (!rc) *out = (uint32_t)i;
    return rc;
}

/* The attributes of a customer given again (kcx.ov). */
static int set_ov(fu_kpi *k, kcx *x, const fu_customer *c) {
    uint32_t ind;
    int rc = intern_cstr(k, c->industry, &ind);
    if (rc) return rc;
    x->tier = (int8_t)(isnan(c->annual_spend) ? -1 : fu__policy_tier_of(k->pol, c->annual_spend));
    x->first_purchase_at = c->first_purchase_at == FU_BOOK_NO_TIME ? FU_KPI_NO_TIME : c->first_purchase_at;
    x->industry = ind;
    x->is_smb = (int8_t)c->is_smb;
    x->ov = 1;
    return FU_OK;
}

/* Add or update customers: new ones go into the own book with what the
 * KPIs read, customers the book holds already (or that the book could not
 * hold as given) keep their attributes in kcx. */
static int put_customers(fu_kpi *k, const fu_customer *in, size_t n) {
    uint32_t *idx = n ? fu__malloc(n * sizeof *idx) : NULL;
    uint8_t *upd = n ? fu__calloc(n, 1) : NULL;
    int rc = (n && (!idx || !upd)) ? fu__error_nomem() : FU_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t ci;
        if (cust_find(k, in[i].id, &ci)) {
            idx[i] = (uint32_t)ci;
            upd[i] = 1;
            continue;
        }
        rc = own_book(k);
        fu_customer c = customer_copy(&in[i]);
        if (!(c.annual_spend >= 0 && isfinite(c.annual_spend))) c.annual_spend = NAN, upd[i] = 1;
        if ((unsigned)c.is_smb > FU_TRI_NO) c.is_smb = FU_TRI_UNKNOWN, upd[i] = 1;
        if (!rc) rc = fu_book_add_customer(k->own, &c, &ci);
        if (!rc) idx[i] = (uint32_t)ci;
        if (rc) fu__error_prefix("customer %zu", i);
    }
    if (!rc) rc = cx_fit(k);
    for (size_t i = 0; i < n && !rc; i++)
        if (upd[i]) rc = set_ov(k, &k->cx[idx[i]], &in[i]);
    fu__free(idx);
    fu__free(upd);
    if (!rc && n) changed(k);
    return rc;
}

int fu_kpi_add_customers(fu_kpi *k, const fu_customer *in, size_t n) {
    if (!k || (!in && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_customers: %s is NULL", !k ? "kpi" : "customers");
    for (size_t i = 0; i < n; i++)
        if (!in[i].id || !*in[i].id) return fu__error_set(FU_EINVAL, "customer %zu: missing id", i);
    return put_customers(k, in, n);
}

int fu_kpi_add_events(fu_kpi *k, const fu_event_in *in, size_t n) {
    return fu_kpi_add_events_priority(k, in, NULL, n);
}

int fu_kpi_add_events_priority(fu_kpi *k, const fu_event_in *in, const fu_priority *prio, size_t n) {
    if (!k || (!in && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_events: %s is NULL", !k ? "kpi" : "events");
    for (size_t i = 0; i < n; i++) {
        const fu_event_in *e = &in[i];
        if (prio && (unsigned)prio[i] > FU_PRIORITY_LOW)
            return fu__error_set(FU_EINVAL, "event %zu: priority %d out of range", i, (int)prio[i]);
        if (!e->customer_id || !*e->customer_id) return fu__error_set(FU_EINVAL, "event %zu: missing customer id", i);
        if (e->at == FU_BOOK_NO_TIME) return fu__error_set(FU_EINVAL, "event %zu: missing time", i);
        if ((unsigned)e->kind >= FU_EVENT_KIND_COUNT || (unsigned)e->severity > FU_SEVERITY_LOW ||
            (unsigned)e->channel >= FU_CHANNEL_COUNT || (unsigned)e->outcome >= FU_OUTCOME_COUNT ||
            (unsigned)e->survey > FU_SURVEY_CES)
            return fu__error_set(FU_EINVAL, "event %zu: an enum value is out of range", i);
    }
    if (!n) return FU_OK;
    int rc = own_book(k);
    if (rc) return rc;
    fu_event_in *cp = fu__malloc(n * sizeof *cp);
    if (!cp) return fu__error_nomem();
    for (size_t i = 0; i < n; i++) {
        fu_event_in *o = &cp[i];
        *o = in[i];
        /* what the engine does not read is not kept (see the file comment) */
        o->note = NULL;
        if (prio) o->priority = o->kind == FU_EVENT_CONTACT ? (int)prio[i] + 1 : 0;
        if (!(o->unit_price >= 0 && isfinite(o->unit_price))) o->unit_price = NAN;
        if (o->kind != FU_EVENT_PURCHASE || !isfinite(o->amount)) o->amount = NAN;
        if (o->kind != FU_EVENT_SURVEY || !o->survey) o->score = NAN;
    }
    /* after a compute the own book is finalized: the events are merged into
     * place (same order as adding them before the finalize) */
    rc = fu_book_is_finalized(k->own) ? fu_book_append_events(k->own, cp, n) : fu_book_add_events(k->own, cp, n);
    fu__free(cp);
    if (!rc) rc = cx_fit(k);
    if (!rc) changed(k);
    return rc;
}

int fu_kpi_add_book(fu_kpi *k, const fu_book *b) {
    if (!k || !b) return fu__error_set(FU_EINVAL, "fu_kpi_add_book: %s is NULL", !k ? "kpi" : "book");
    if (!fu_book_is_finalized(b)) return fu__error_set(FU_ESTATE, "the book is not finalized");
    size_t nc = fu_book_customer_count(b);
    if (!nc && !fu_book_event_count(b)) return FU_OK;
    if (!k->bk && !(k->o.flags & FU_KPI_COPY_BOOKS)) { /* the engine's first data: borrowed */
        fu__book_borrow(b);
        k->bk = b;
        changed(k);
        return cx_fit(k);
    }
    fu_customer *cs = nc ? fu__malloc(nc * sizeof *cs) : NULL;
    int rc = (nc && !cs) ? fu__error_nomem() : FU_OK;
    for (size_t i = 0; i < nc && !rc; i++) fu__book_customer_get(b, i, &cs[i]);
    if (!rc) rc = own_book(k);
    /* customers first (their attributes), then the events */
    if (!rc) rc = put_customers(k, cs, nc);
    if (!rc) rc = copy_events(k, k->own, b);
    if (!rc) rc = cx_fit(k);
    fu__free(cs);
    changed(k);
    return rc;
}

/* A customer given two labels (ci: customer indexes, then label ids, equal
 * for equal labels) is refused naming both, as fu_kpi_read_segments_csv()
 * does (review s12 U9); the same label twice is fine. */
static int segments_once(const fu_kpi *k, const uint32_t *ci, const char *const *ids, const char *const *labels,
                         size_t n) {
    size_t nc = fu__kpi_customer_count(k);
    uint32_t *first = n ? fu__calloc(nc ? nc : 1, sizeof *first) : NULL; /* entry + 1, 0: none yet */
    if (n && !first) return fu__error_nomem();
    int rc = FU_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t c = ci[i];
        if (c >= nc) continue;
        if (!first[c]) first[c] = (uint32_t)i + 1;
        else if (ci[n + first[c] - 1] != ci[n + i]) {
            char qi[FU_ERRTEXT_CELL_CAP], qw[FU_ERRTEXT_CELL_CAP], ql[FU_ERRTEXT_CELL_CAP]; /* masked (review s13) */
            rc = fu__error_set(FU_EINVAL,
                               "fu_kpi_set_segments: entry %zu: customer '%s' is in segment '%s' (entry %u) "
                               "and '%s' here (one label per customer)",
                               i, fu__errtext_cell_str(qi, sizeof qi, ids[i]),
                               fu__errtext_cell_str(qw, sizeof qw, labels[first[c] - 1]), first[c] - 1,
                               fu__errtext_cell_str(ql, sizeof ql, labels[i]));
        }
    }
    fu__free(first);
    return rc;
}

int fu_kpi_set_segments(fu_kpi *k, const char *const *ids, const char *const *labels, size_t n) {
    if (!k || (n && (!ids || !labels)))
        return fu__error_set(FU_EINVAL, "fu_kpi_set_segments: %s is NULL",
                             !k ? "kpi" : !ids ? "customer_ids" : "labels");
    for (size_t i = 0; i < n; i++)
        if (!ids[i] || !*ids[i] || !labels[i]) return fu__error_set(FU_EINVAL, "segment %zu: NULL id or label", i);
    uint32_t *ci = n ? fu__malloc(2 * n * sizeof *ci) : NULL;
    int rc = (n && !ci) ? fu__error_nomem() : FU_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = intern_cstr(k, labels[i], &ci[n + i]);
        if (!rc) rc = cust_index(k, ids[i], &ci[i]);
    }
    if (!rc) rc = cx_fit(k);
    if (!rc) rc = segments_once(k, ci, ids, labels, n);
    if (!rc) {
        for (size_t i = 0; i < n; i++) k->cx[ci[i]].segment = ci[n + i];
        if (n) changed(k);
    }
    fu__free(ci);
    return rc;
}

int fu_kpi_add_due(fu_kpi *k, const fu_kpi_due *d, size_t n) {
    if (!k || (!d && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_due: %s is NULL", !k ? "kpi" : "due");
    for (size_t i = 0; i < n; i++) {
        if (!d[i].customer_id || !*d[i].customer_id) return fu__error_set(FU_EINVAL, "due item %zu: missing customer id", i);
        if (d[i].due_to == FU_KPI_NO_TIME) return fu__error_set(FU_EINVAL, "due item %zu: missing deadline", i);
        if (d[i].due_from != FU_KPI_NO_TIME && d[i].due_to < d[i].due_from)
            return fu__error_set(FU_EINVAL, "due item %zu: deadline before the window start", i);
    }
    int rc = FU_GROW(k->due, k->cap_due, k->n_due + n);
    for (size_t i = 0; i < n && !rc; i++) {
        kdue *v = &k->due[k->n_due + i];
        rc = cust_index(k, d[i].customer_id, &v->cust);
        if (!rc) rc = fu__kpi_intern_agent(k, d[i].agent_id, &v->agent);
        v->from = d[i].due_from;
        v->to = d[i].due_to;
    }
    if (rc) return rc;
    k->n_due += n;
    k->o.flags |= FU_KPI_NO_DERIVED_DUE;
    changed(k);
    return FU_OK;
}

int fu_kpi_add_commitments(fu_kpi *k, const fu_commitment *c, size_t n) {
    if (!k || (!c && n)) return fu__error_set(FU_EINVAL, "fu_kpi_add_commitments: %s is NULL", !k ? "kpi" : "c");
    for (size_t i = 0; i < n; i++)
        if (!c[i].customer_id || !*c[i].customer_id) return fu__error_set(FU_EINVAL, "commitment %zu: missing customer id", i);
    int rc = FU_GROW(k->com, k->cap_com, k->n_com + n);
    for (size_t i = 0; i < n && !rc; i++) {
        kcom *v = &k->com[k->n_com + i];
        rc = cust_index(k, c[i].customer_id, &v->cust);
        if (!rc) rc = fu__kpi_intern_agent(k, c[i].created_by, &v->agent);
        v->deadline = c[i].deadline;
        v->closed_at = c[i].closed_at;
        v->state = c[i].state;
    }
    if (rc) return rc;
    k->n_com += n;
    if (n) changed(k);
    return FU_OK;
}

int fu_kpi_add_ledger(fu_kpi *k, fu_ledger *ledger) {
    if (!k || !ledger) return fu__error_set(FU_EINVAL, "fu_kpi_add_ledger: %s is NULL", !k ? "kpi" : "ledger");
    fu_commit_query q = FU_COMMIT_QUERY_INIT;
    fu_commitment_list *list = NULL;
    int rc = fu_ledger_query(ledger, &q, &list);
    if (rc) return rc;
    size_t n = fu_commitment_list_count(list);
    fu_commitment *arr = n ? fu__malloc(n * sizeof *arr) : NULL;
    if (n && !arr) rc = fu__error_nomem();
    for (size_t i = 0; i < n && !rc; i++) arr[i] = *fu_commitment_list_get(list, i);
    if (!rc) rc = fu_kpi_add_commitments(k, arr, n);
    fu__free(arr);
    fu_commitment_list_free(list);
    return rc;
}

/* ---- what the pass reads ---- */

/* Before a compute: the own book finalized, kcx covering every customer. */
int fu__kpi_store_ready(fu_kpi *k) {
    if (k->own && !fu_book_is_finalized(k->own)) {
        int rc = fu_book_finalize(k->own);
        if (rc) return rc;
    }
    return cx_fit(k);
}

void fu__kpi_customer_view(fu_kpi *k, size_t ci, kcust *out) {
    const kcx *x = ci < k->n_cx ? &k->cx[ci] : NULL;
    out->segment = x ? x->segment : 0;
    if (x && x->ov) {
        out->tier = x->tier;
        out->is_smb = x->is_smb;
        out->industry = kstr_get(&k->str, x->industry);
        out->first_purchase_at = x->first_purchase_at;
        return;
    }
    fu_customer cbuf;
    fu__book_customer_get(k->bk, ci, &cbuf);
    const fu_customer *c = &cbuf;
    out->tier = isnan(c->annual_spend) ? -1 : fu__policy_tier_of(k->pol, c->annual_spend);
    out->is_smb = (int32_t)c->is_smb;
    out->industry = c->industry;
    out->first_purchase_at = c->first_purchase_at == FU_BOOK_NO_TIME ? FU_KPI_NO_TIME : c->first_purchase_at;
}

/* The label id of book agent string `bid`. */
static int agent_label(fu_kpi *k, uint32_t bid, uint32_t *out) {
    if (kmap_get(&k->amap, bid, out)) return FU_OK;
    int rc = fu__kpi_intern_agent(k, fu_book_string(k->bk, bid), out); /* masked: review s9 F6 */
    if (!rc) rc = kmap_put(&k->amap, bid, *out);
    return rc;
}

/* Policy product class index + 1 of class name `bid` (0 unknown). */
static int class_by_name(fu_kpi *k, uint32_t bid, uint32_t *out) {
    if (kmap_get(&k->cmap, bid, out)) return FU_OK;
    const char *name = fu_book_string(k->bk, bid);
    int c = name && *name ? fu__policy_class_index(k->pol, name) : -1;
    *out = c < 0 ? 0 : (uint32_t)c + 1;
    return kmap_put(&k->cmap, bid, *out);
}

/* The agent label and product class (kev.pclass) of attribute record e:
 * looked up by name (agent_label, class_by_name, the policy's price
 * classes). */
static int attr_labels(fu_kpi *k, const fu__eattr *e, uint32_t *agent, uint8_t *pclass) {
    int rc = FU_OK, own = k->own != NULL;
    *agent = 0;
    if (e->agent_id && (rc = agent_label(k, e->agent_id, agent))) return rc;
    int cls = -1;
    uint32_t byname;
    if (!isnan(e->unit_price) && e->unit_price >= 0) {
        cls = fu__policy_class_of(k->pol, e->unit_price);
        if (!own && cls < 0) cls = -2; /* a borrowed book's rule: no fallback to the name */
    }
    if (cls == -1 && e->product_class) {
        if ((rc = class_by_name(k, e->product_class, &byname))) return rc;
        cls = (int)byname - 1;
    }
    *pclass = (uint8_t)(cls < 0 ? 0 : cls + 1);
    return FU_OK;
}

int fu__kpi_decode_prefill(fu_kpi *k, kdcache *dc) {
    size_t n = k->bk ? k->bk->attrs.n : 0;
    if (dc->n != n) {
        fu__free(dc->agent);
        fu__free(dc->pclass);
        dc->agent = n ? fu__malloc(n * sizeof *dc->agent) : NULL;
        dc->pclass = n ? fu__calloc(n, 1) : NULL;
        dc->n = n;
        if (n && (!dc->agent || !dc->pclass)) {
            dc->n = 0;
            return fu__error_nomem();
        }
    }
    const fu__eattr *A = k->bk ? k->bk->attrs.v : NULL;
    for (size_t i = 0; i < n; i++) {
        if (dc->pclass[i]) continue;
        uint8_t cls;
        int rc = attr_labels(k, &A[i], &dc->agent[i], &cls);
        if (rc) return rc;
        dc->pclass[i] = (uint8_t)(cls + 1);
    }
    return FU_OK;
}

int fu__kpi_decode(fu_kpi *k, const fu__erow *rows, size_t n, kev *out, kdcache *dc) {
    const fu__eattr *A = k->bk->attrs.v;
    int rc = FU_OK;
    for (size_t i = 0; i < n; i++) {
        const fu__erow *r = &rows[i];
        const fu__eattr *e = &A[r->attr];
        kev *v = &out[i];
        v->at = fu__erow_at(A, r);
        v->val = e->kind == FU_EVENT_PURCHASE ? e->amount : e->kind == FU_EVENT_SURVEY ? (double)e->score : NAN;
        v->order = r->order_id;
        v->kind = e->kind;
        v->severity = e->severity;
        v->channel = e->channel;
        v->outcome = e->outcome;
        v->survey = e->survey;
        v->prio = e->kind == FU_EVENT_CONTACT && e->priority <= FU_PRIORITY_LOW + 1 ? e->priority : 0;
        v->pad_[0] = 0;
        if (dc && r->attr < dc->n) { /* labels once per attribute record */
            uint8_t *pc = &dc->pclass[r->attr];
            if (!*pc) {
                uint8_t cls;
                if ((rc = attr_labels(k, e, &dc->agent[r->attr], &cls))) return rc;
                *pc = (uint8_t)(cls + 1);
            }
            v->agent = dc->agent[r->attr];
            v->pclass = (uint8_t)(*pc - 1);
        } else if ((rc = attr_labels(k, e, &v->agent, &v->pclass))) {
            return rc;
        }
    }
    return FU_OK;
}
