/* KPIs over partitions: the book of examples/sample split by customer into
 * three partitions; each partition's partial merged into one engine gives
 * the whole book's figures (value, interval, n, successes, target, status,
 * rule) for every KPI and grouping. Bad blobs (truncated, corrupt, foreign
 * options or policy) are refused with FU_EINVAL; every allocation failure is
 * FU_ENOMEM with nothing leaked. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE FU_TEST_SRCDIR "/../examples/sample/data/"
#define NPART 3

/* The partition of a customer id: a hash of its text, mod NPART. */
static int part_of(const char *line) {
    unsigned h = 5381;
    for (const char *p = line; *p && *p != ',' && *p != '\n'; p++) h = h * 33u + (unsigned char)*p;
    return (int)(h % NPART);
}

/* Split a CSV (one record a line, customer id first) into NPART texts, each
 * with the header. */
static void split_csv(const char *text, char *out[NPART], size_t outlen[NPART]) {
    const char *body = strchr(text, '\n') + 1;
    size_t hl = (size_t)(body - text), total = strlen(text);
    for (int i = 0; i < NPART; i++) {
        out[i] = malloc(total + 1);
        memcpy(out[i], text, hl);
        outlen[i] = hl;
    }
    for (const char *p = body; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        int k = part_of(p);
        memcpy(out[k] + outlen[k], p, n);
        outlen[k] += n;
        p += n;
    }
    for (int i = 0; i < NPART; i++) out[i][outlen[i]] = '\0';
}

typedef struct sample {
    fu_policy *p;
    fu_book *whole, *part[NPART];
} sample;

static fu_book *book_of(const char *cust, size_t clen, const char *ev, size_t elen) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv_from_string(b, cust, clen, "customers"), FU_OK, "%s",
                 fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv_from_string(b, ev, elen, "events"), FU_OK, "%s", fu_error_last()->message);
    return b;
}

static void sample_load(sample *s) {
    size_t cl, el, pcl[NPART], pel[NPART];
    char *cust = fu_test_read_file(SAMPLE "customers.csv", &cl), *ev = fu_test_read_file(SAMPLE "events.csv", &el);
    char *pc[NPART], *pe[NPART];
    cr_assert_eq(fu_policy_default(&s->p), FU_OK);
    s->whole = book_of(cust, cl, ev, el);
    split_csv(cust, pc, pcl);
    split_csv(ev, pe, pel);
    size_t nev = 0;
    for (int i = 0; i < NPART; i++) {
        s->part[i] = book_of(pc[i], pcl[i], pe[i], pel[i]);
        cr_assert_gt(fu_book_event_count(s->part[i]), 100, "partition %d is too small to mean anything", i);
        nev += fu_book_event_count(s->part[i]);
        free(pc[i]);
        free(pe[i]);
    }
    cr_assert_eq(nev, fu_book_event_count(s->whole), "the partitions hold every event once");
    free(cust);
    free(ev);
}

static void sample_free(sample *s) {
    for (int i = 0; i < NPART; i++) fu_book_free(s->part[i]);
    fu_book_free(s->whole);
    fu_policy_free(s->p);
}

static fu_kpi_options opts_of(unsigned by, fu_kpi_period period) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = by;
    o.period = period;
    o.as_of = 0;
    cr_assert_eq(fu_time_parse("2026-06-01T00:00:00+08:00", 25, &o.as_of), FU_OK);
    o.contact_cost[FU_CHANNEL_PHONE] = 8;
    o.contact_cost[FU_CHANNEL_SMS] = 0.1;
    o.contact_cost[FU_CHANNEL_EMAIL] = 0.05;
    o.contact_cost[FU_CHANNEL_CHAT] = 1.5;
    o.budget = 400;
    return o;
}

static fu_kpi *engine(const fu_policy *p, const fu_kpi_options *o, const fu_book *b) {
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, o), FU_OK);
    if (b) cr_assert_eq(fu_kpi_add_book(k, b), FU_OK);
    return k;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void expect_same_figures(fu_kpi *whole, fu_kpi *merged, const char *what) {
    size_t nw = 0, nm = 0;
    cr_assert_eq(fu_kpi_compute(whole, &nw), FU_OK);
    cr_assert_eq(fu_kpi_compute(merged, &nm), FU_OK, "%s: %s", what, fu_error_last()->message);
    cr_assert_gt(nw, 0, "%s: no figures", what);
    cr_assert_eq(nm, nw, "%s: %zu figures merged, %zu whole", what, nm, nw);
    const fu_kpi_figure *w = fu_kpi_figures(whole, &nw), *m = fu_kpi_figures(merged, &nm);
    for (size_t i = 0; i < nw; i++) {
        const fu_kpi_figure *a = &w[i], *b = &m[i];
        cr_assert_eq(a->kpi, b->kpi, "%s [%zu]", what, i);
        cr_assert_str_eq(a->group, b->group, "%s [%zu]", what, i);
        cr_assert_str_eq(a->period, b->period, "%s [%zu]", what, i);
        cr_assert_eq(a->period_start, b->period_start);
        cr_assert_eq(a->period_index, b->period_index);
        cr_expect(same(a->value, b->value) && same(a->ci_low, b->ci_low) && same(a->ci_high, b->ci_high),
                  "%s: %s %s %s: whole %.17g [%.17g, %.17g], merged %.17g [%.17g, %.17g]", what, a->name, a->period,
                  a->group, a->value, a->ci_low, a->ci_high, b->value, b->ci_low, b->ci_high);
        cr_expect(a->n == b->n && same(a->successes, b->successes) && same(a->target, b->target), "%s: %s n", what,
                  a->name);
        cr_expect_eq(a->status, b->status, "%s: %s %s %s status", what, a->name, a->period, a->group);
        cr_expect_str_eq(a->rule, b->rule);
    }
    const fu_kpi_scorecard *sw = NULL, *sm = NULL;
    size_t nsw = 0, nsm = 0;
    int rw = fu_kpi_scorecards(whole, &sw, &nsw), rm = fu_kpi_scorecards(merged, &sm, &nsm);
    cr_assert_eq(rw, rm, "%s: scorecards", what);
    cr_assert_eq(nsw, nsm, "%s: scorecards", what);
    for (size_t i = 0; i < nsw; i++) {
        cr_expect_str_eq(sw[i].agent, sm[i].agent);
        cr_expect(same(sw[i].score, sm[i].score) && same(sw[i].ci_low, sm[i].ci_low), "%s: scorecard %s", what,
                  sw[i].agent);
    }
}

/* Each partition's partial, merged into `into`. */
static void merge_parts(const sample *s, const fu_kpi_options *o, fu_kpi *into, int first) {
    for (int i = first; i < NPART; i++) {
        fu_kpi *k = engine(s->p, o, s->part[i]);
        void *buf = NULL;
        size_t len = 0;
        cr_assert_eq(fu_kpi_partial_write(k, &len, &buf), FU_OK, "%s", fu_error_last()->message);
        cr_assert_eq(fu_kpi_merge_partial(into, buf, len), FU_OK, "%s", fu_error_last()->message);
        fu_free(buf);
        fu_kpi_free(k);
    }
}

Test(kpi_partial, three_partitions_merge_to_the_whole_book_for_every_grouping) {
    sample s;
    sample_load(&s);
    const unsigned bys[] = {0,
                            FU_KPI_BY_TIER,
                            FU_KPI_BY_SEGMENT,
                            FU_KPI_BY_AGENT,
                            FU_KPI_BY_CHANNEL,
                            FU_KPI_BY_PRODUCT_CLASS,
                            FU_KPI_BY_TIER | FU_KPI_BY_AGENT,
                            FU_KPI_BY_TIER | FU_KPI_BY_CHANNEL | FU_KPI_BY_PRODUCT_CLASS};
    const fu_kpi_period periods[] = {FU_KPI_WEEK, FU_KPI_MONTH, FU_KPI_DAY};
    for (size_t pi = 0; pi < 3; pi++)
        for (size_t bi = 0; bi < sizeof bys / sizeof *bys; bi++) {
            fu_kpi_options o = opts_of(bys[bi], periods[pi]);
            char what[64];
            snprintf(what, sizeof what, "period %s by 0x%x", fu_kpi_period_name(periods[pi]), bys[bi]);
            fu_kpi *whole = engine(s.p, &o, s.whole);
            /* into an empty engine */
            fu_kpi *merged = engine(s.p, &o, NULL);
            merge_parts(&s, &o, merged, 0);
            expect_same_figures(whole, merged, what);
            fu_kpi_free(merged);
            /* into the engine of partition 0 (its own data plus two partials) */
            merged = engine(s.p, &o, s.part[0]);
            merge_parts(&s, &o, merged, 1);
            expect_same_figures(whole, merged, what);
            fu_kpi_free(merged);
            fu_kpi_free(whole);
        }
    sample_free(&s);
}

Test(kpi_partial, partials_merge_in_a_tree) {
    sample s;
    sample_load(&s);
    fu_kpi_options o = opts_of(FU_KPI_BY_TIER | FU_KPI_BY_AGENT, FU_KPI_WEEK);
    fu_kpi *whole = engine(s.p, &o, s.whole);
    /* (p1 + p2) written again as one partial, then merged with p0 */
    fu_kpi *mid = engine(s.p, &o, s.part[1]), *k2 = engine(s.p, &o, s.part[2]), *top = engine(s.p, &o, s.part[0]);
    void *b = NULL;
    size_t len = 0;
    cr_assert_eq(fu_kpi_partial_write(k2, &len, &b), FU_OK);
    cr_assert_eq(fu_kpi_merge_partial(mid, b, len), FU_OK);
    fu_free(b);
    cr_assert_eq(fu_kpi_partial_write(mid, &len, &b), FU_OK);
    cr_assert_eq(fu_kpi_merge_partial(top, b, len), FU_OK);
    fu_free(b);
    expect_same_figures(whole, top, "tree");
    /* an empty partition's partial changes nothing */
    fu_kpi *empty = engine(s.p, &o, NULL);
    cr_assert_eq(fu_kpi_partial_write(empty, &len, &b), FU_OK);
    cr_assert_eq(fu_kpi_merge_partial(top, b, len), FU_OK);
    fu_free(b);
    expect_same_figures(whole, top, "tree + empty");
    fu_kpi_free(empty);
    fu_kpi_free(top);
    fu_kpi_free(k2);
    fu_kpi_free(mid);
    fu_kpi_free(whole);
    sample_free(&s);
}

static void expect_refused(fu_kpi *into, const void *buf, size_t len, const char *needle) {
    size_t n0 = 0, n1 = 0;
    cr_assert_eq(fu_kpi_compute(into, &n0), FU_OK);
    cr_assert_eq(fu_kpi_merge_partial(into, buf, len), FU_EINVAL, "want refusal (%s)", needle);
    cr_expect_not_null(strstr(fu_error_last()->message, needle), "message '%s' lacks '%s'", fu_error_last()->message,
                       needle);
    cr_assert_eq(fu_kpi_compute(into, &n1), FU_OK);
    cr_expect_eq(n0, n1, "a refused partial changes nothing");
}

/* The partial of k (fu_free() it). */
static void *partial_of(fu_kpi *k, size_t *len) {
    void *b = NULL;
    cr_assert_eq(fu_kpi_partial_write(k, len, &b), FU_OK);
    return b;
}

/* The partial of an engine with p and o over book b is refused by into. */
static void expect_engine_refused(fu_kpi *into, const fu_policy *p, const fu_kpi_options *o, const fu_book *b,
                                  const char *needle) {
    fu_kpi *f = engine(p, o, b);
    size_t len = 0;
    void *blob = partial_of(f, &len);
    expect_refused(into, blob, len, needle);
    fu_free(blob);
    fu_kpi_free(f);
}

/* FNV-1a 64 of the bytes before the last 8, written into them (little-endian):
 * a blob edited behind the checksum's back. */
static void reseal(unsigned char *b, size_t len) {
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i + 8 < len; i++) h = (h ^ b[i]) * UINT64_C(1099511628211);
    for (int i = 0; i < 8; i++) b[len - 8 + (size_t)i] = (unsigned char)(h >> (8 * i));
}

/* The sample split in parts, the partial of part 1 (by tier, weekly) and an
 * engine over part 0 to merge blobs into. */
typedef struct blob_fx {
    sample s;
    fu_kpi_options o;
    fu_kpi *src, *into;
    void *blob;
    size_t len;
} blob_fx;

static void blob_setup(blob_fx *x) {
    sample_load(&x->s);
    x->o = opts_of(FU_KPI_BY_TIER, FU_KPI_WEEK);
    x->src = engine(x->s.p, &x->o, x->s.part[1]);
    x->into = engine(x->s.p, &x->o, x->s.part[0]);
    x->blob = partial_of(x->src, &x->len);
}

static void blob_teardown(blob_fx *x) {
    fu_free(x->blob);
    fu_kpi_free(x->into);
    fu_kpi_free(x->src);
    sample_free(&x->s);
}

Test(kpi_partial, blobs_with_a_valid_checksum_are_still_validated) {
    blob_fx x;
    blob_setup(&x);
    fu_kpi *into = x.into;
    size_t len = x.len;
    unsigned char *b = x.blob, *c = malloc(len + 1);
    /* header 169 bytes, tmin and tmax, then the group count and the first group's tier */
    const size_t ngroups = 169 + 16, tier0 = ngroups + 4;
    memcpy(c, b, len);
    c[ngroups + 3] = 0x7F;
    reseal(c, len);
    expect_refused(into, c, len, "groups");
    memcpy(c, b, len);
    c[tier0] = 200;
    reseal(c, len);
    expect_refused(into, c, len, "a group");
    memcpy(c, b, len - 8);
    c[len - 8] = 0;
    reseal(c, len + 1);
    expect_refused(into, c, len + 1, "trailing bytes");
    /* the version field: a later one, and version 2 (agents by masked text, review r3 M1) */
    memcpy(c, b, len);
    c[8] = 4;
    reseal(c, len);
    expect_refused(into, c, len, "want 3");
    memcpy(c, b, len);
    c[8] = 2;
    reseal(c, len);
    expect_refused(into, c, len, "version 2");
    memcpy(c, b, len);
    reseal(c, len);
    cr_expect_eq(fu_kpi_merge_partial(into, c, len), FU_OK, "resealed unchanged: accepted");
    free(c);
    blob_teardown(&x);
}

Test(kpi_partial, corrupt_truncated_and_foreign_blobs_are_refused) {
    blob_fx x;
    blob_setup(&x);
    sample s = x.s;
    fu_kpi_options o = x.o;
    fu_kpi *into = x.into;
    size_t len = x.len;
    void *vb = x.blob;
    unsigned char *b = vb, *c = malloc(len);
    /* truncated at every length, a flipped bit anywhere */
    for (size_t cut = 0; cut < len; cut += (cut < 256 ? 1 : 97)) expect_refused(into, b, cut, "partial");
    for (size_t at = 0; at < len; at += (at < 256 ? 1 : 61)) {
        memcpy(c, b, len);
        c[at] ^= 0x10;
        expect_refused(into, c, len, at < 8 ? "not a KPI partial" : "corrupt");
    }
    expect_refused(into, "hello, world, this is text", 26, "not a KPI partial");
    cr_assert_eq(fu_kpi_merge_partial(NULL, b, len), FU_EINVAL);
    cr_assert_eq(fu_kpi_merge_partial(into, NULL, 5), FU_EINVAL);
    /* foreign: other grouping, period, as_of, costs, policy */
    struct {
        fu_kpi_options o;
        const char *msg;
    } foreign[4] = {{o, "grouping"}, {o, "period"}, {o, "as_of"}, {o, "other contact costs"}};
    foreign[0].o.by = FU_KPI_BY_AGENT;
    foreign[1].o.period = FU_KPI_MONTH;
    foreign[2].o.as_of += 3600;
    foreign[3].o.contact_cost[FU_CHANNEL_PHONE] = 9;
    for (int i = 0; i < 4; i++) expect_engine_refused(into, s.p, &foreign[i].o, s.part[1], foreign[i].msg);
    /* the built-in policy's YAML under another version */
    size_t ylen = 0;
    const char *dy = fu_policy_default_yaml(&ylen);
    char *yaml = malloc(ylen + 1);
    memcpy(yaml, dy, ylen);
    yaml[ylen] = '\0';
    char *ver = strstr(yaml, "version: \"2026.1\"");
    cr_assert_not_null(ver);
    ver[10] = '3';
    fu_policy *p2 = NULL;
    cr_assert_eq(fu_policy_load_string(&p2, yaml, ylen, NULL, NULL), FU_OK, "%s", fu_error_last()->message);
    free(yaml);
    expect_engine_refused(into, p2, &o, s.part[1], "another policy");
    fu_policy_free(p2);
    /* without as_of there is no partial */
    fu_kpi_options noas = o;
    noas.as_of = FU_KPI_NO_TIME;
    fu_kpi *na = engine(s.p, &noas, s.part[1]);
    cr_assert_eq(fu_kpi_partial_write(na, &len, &vb), FU_EINVAL);
    cr_expect_not_null(strstr(fu_error_last()->message, "as_of"));
    cr_assert_null(vb);
    fu_kpi_free(na);
    free(c);
    blob_teardown(&x);
}

/* -------------------------------------------- partitions sharing customers */

/* The events CSV split by time (before 2026-03-01 or not, by the text of
 * `at`): the usual export layout, every active customer in both halves. */
static void split_by_time(const char *text, char *out[2], size_t outlen[2]) {
    const char *body = strchr(text, '\n') + 1;
    size_t hl = (size_t)(body - text), total = strlen(text);
    for (int i = 0; i < 2; i++) {
        out[i] = malloc(total + 1);
        memcpy(out[i], text, hl);
        outlen[i] = hl;
    }
    for (const char *p = body; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        int k = strncmp(strchr(p, ',') + 1, "2026-03-01", 10) >= 0;
        memcpy(out[k] + outlen[k], p, n);
        outlen[k] += n;
        p += n;
    }
    for (int i = 0; i < 2; i++) out[i][outlen[i]] = '\0';
}

/* The customer id quoted in the last error message (static buffer). */
static const char *quoted_id(void) {
    static char id[64];
    const char *m = strstr(fu_error_last()->message, "customer '");
    cr_assert_not_null(m, "no customer named in '%s'", fu_error_last()->message);
    m += 10;
    size_t n = strcspn(m, "'");
    cr_assert_lt(n, sizeof id);
    memcpy(id, m, n);
    id[n] = '\0';
    return id;
}

static int has_events(const fu_book *b, const char *id) {
    size_t ci, n = 0;
    const fu_event *ev = NULL;
    if (fu_book_find_customer(b, id, strlen(id), &ci) != FU_OK) return 0;
    cr_assert_eq(fu_book_customer_events(b, ci, &ev, &n), FU_OK);
    return n > 0;
}

Test(kpi_partial, partitions_split_by_time_are_refused) {
    sample s;
    sample_load(&s);
    fu_kpi_options o = opts_of(0u, FU_KPI_MONTH);
    cr_assert_eq(fu_time_parse("2026-11-23T00:00:00+08:00", 25, &o.as_of), FU_OK);
    size_t cl, el, hl[2];
    char *cust = fu_test_read_file(SAMPLE "customers.csv", &cl), *ev = fu_test_read_file(SAMPLE "events.csv", &el);
    char *half[2];
    split_by_time(ev, half, hl);
    fu_book *b0 = book_of(cust, cl, half[0], hl[0]), *b1 = book_of(cust, cl, half[1], hl[1]);
    fu_kpi *k0 = engine(s.p, &o, b0), *k1 = engine(s.p, &o, b1), *into = engine(s.p, &o, NULL);
    size_t l0 = 0, l1 = 0;
    void *p0 = partial_of(k0, &l0), *p1 = partial_of(k1, &l1);
    cr_assert_eq(fu_kpi_merge_partial(into, p0, l0), FU_OK, "%s", fu_error_last()->message);
    expect_refused(into, p1, l1, "KPI partitions must split by customer");
    cr_expect_not_null(strstr(fu_error_last()->message, "a partial merged before"), "%s", fu_error_last()->message);
    const char *id = quoted_id();
    cr_expect(has_events(b0, id) && has_events(b1, id), "'%s' has events in both halves", id);
    /* a reducer that is one of the halves refuses the other */
    expect_refused(k0, p1, l1, "the engine's own data");
    /* the same partial twice (also a shared customer) */
    fu_kpi *twice = engine(s.p, &o, NULL);
    cr_assert_eq(fu_kpi_merge_partial(twice, p1, l1), FU_OK);
    expect_refused(twice, p1, l1, "must split by customer");
    /* a book added after the merge: the compute refuses */
    cr_assert_eq(fu_kpi_add_book(twice, b0), FU_OK, "%s", fu_error_last()->message);
    size_t n = 0;
    cr_expect_eq(fu_kpi_compute(twice, &n), FU_EINVAL);
    cr_expect_not_null(strstr(fu_error_last()->message, "the engine's own data"), "%s", fu_error_last()->message);
    fu_kpi_free(twice);
    fu_free(p0);
    fu_free(p1);
    fu_kpi_free(into);
    fu_kpi_free(k1);
    fu_kpi_free(k0);
    fu_book_free(b1);
    fu_book_free(b0);
    free(half[0]);
    free(half[1]);
    free(cust);
    free(ev);
    sample_free(&s);
}

Test(kpi_partial, partials_of_version_1_are_refused) {
    blob_fx x;
    blob_setup(&x);
    unsigned char *c = malloc(x.len);
    memcpy(c, x.blob, x.len);
    c[8] = 1;
    reseal(c, x.len);
    expect_refused(x.into, c, x.len, "version 1");
    cr_expect_not_null(strstr(fu_error_last()->message, "no customer list"), "%s", fu_error_last()->message);
    cr_expect_eq(fu_kpi_merge_partial(x.into, x.blob, x.len), FU_OK, "the version-2 blob is merged");
    free(c);
    blob_teardown(&x);
}

/* ------------------------------------------------------------ out of memory */

typedef struct oom_ctx {
    const sample *s;
    fu_kpi_options o;
} oom_ctx;

static int oom_op(void *vp) {
    const oom_ctx *c = vp;
    fu_kpi *a = NULL, *b = NULL;
    void *buf = NULL;
    size_t len = 0, n = 0;
    int rc = fu_kpi_new(&a, c->s->p, &c->o);
    if (!rc) rc = fu_kpi_new(&b, c->s->p, &c->o);
    if (!rc) rc = fu_kpi_add_book(a, c->s->part[1]);
    if (!rc) rc = fu_kpi_add_book(b, c->s->part[2]);
    if (!rc) rc = fu_kpi_partial_write(a, &len, &buf);
    if (!rc) rc = fu_kpi_merge_partial(b, buf, len);
    if (!rc) rc = fu_kpi_compute(b, &n);
    fu_free(buf);
    buf = NULL;
    if (!rc) rc = fu_kpi_partial_write(b, &len, &buf);
    fu_free(buf);
    fu_kpi_free(a);
    fu_kpi_free(b);
    return rc;
}

Test(kpi_partial, out_of_memory_leaks_nothing) {
    sample s;
    sample_load(&s);
    oom_ctx c = {&s, opts_of(FU_KPI_BY_TIER | FU_KPI_BY_AGENT, FU_KPI_MONTH)};
    fu_test_oom("kpi partial", oom_op, &c, 100000);
    sample_free(&s);
}

/* ------------------------------- agents that differ only in masked digits */

/* Review r3 M1: agent labels were masked before grouping, so 13812345678 and
 * 13800005678 (both shown 138****5678) were one agent. Groups are by the raw
 * id; the labels are masked, and those that mask alike get " #1", " #2" in
 * the byte order of the raw ids, skipping a label some agent already has
 * (agent D's raw text is "138****5678 #1"). Partitions each holding one of
 * the two merge to the whole book's figures and labels. */
static const char *M1_CUST = "customer_id,tz,annual_spend\n"
                             "A,Asia/Shanghai,5000\nB,Asia/Shanghai,5000\nC,Asia/Shanghai,5000\n"
                             "D,Asia/Shanghai,5000\n";
static const char *M1_EV = "customer_id,at,kind,channel,agent_id,outcome,survey,score\n"
                           "A,2026-03-09T10:00:00+08:00,contact,phone,13812345678,answered,,\n"
                           "A,2026-03-09T11:00:00+08:00,survey,,13812345678,,csat,5\n"
                           "B,2026-03-09T10:00:00+08:00,contact,phone,13800005678,answered,,\n"
                           "B,2026-03-09T11:00:00+08:00,survey,,13800005678,,csat,1\n"
                           "C,2026-03-09T10:00:00+08:00,contact,phone,A17,answered,,\n"
                           "C,2026-03-09T11:00:00+08:00,survey,,A17,,csat,3\n";
static const char *M1_EV_D = "customer_id,at,kind,channel,agent_id,outcome,survey,score\n"
                             "D,2026-03-09T11:00:00+08:00,survey,,138****5678 #1,,csat,4\n";

static double csat_of(fu_kpi *k, const char *group) {
    const fu_kpi_figure *f = fu_kpi_find(k, FU_KPI_CSAT, "2026-W11", group);
    cr_assert_not_null(f, "no csat figure for group '%s'", group);
    return f->value;
}

static fu_kpi_options m1_opts(void) {
    fu_kpi_options o = opts_of(FU_KPI_BY_AGENT, FU_KPI_WEEK);
    cr_assert_eq(fu_time_parse("2026-03-20T00:00:00+08:00", 25, &o.as_of), FU_OK);
    return o;
}

/* The M1 book keeping only the event lines whose customer is in `who`. */
static fu_book *m1_book(const char *ev, const char *who) {
    char buf[2048];
    size_t n = 0;
    for (const char *p = ev; *p;) {
        const char *e = strchr(p, '\n') + 1;
        if (p == ev || strchr(who, *p)) {
            memcpy(buf + n, p, (size_t)(e - p));
            n += (size_t)(e - p);
        }
        p = e;
    }
    buf[n] = '\0';
    return book_of(M1_CUST, strlen(M1_CUST), buf, n);
}

Test(kpi_partial, agents_differing_only_in_masked_digits_are_two_groups) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_kpi_options o = m1_opts();
    fu_book *whole = m1_book(M1_EV, "ABC");
    fu_kpi *k = engine(p, &o, whole);
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    cr_expect_eq(csat_of(k, "138****5678 #1"), 1, "13800005678 sorts first");
    cr_expect_eq(csat_of(k, "138****5678 #2"), 5, "13812345678");
    cr_expect_eq(csat_of(k, "A17"), 3);
    cr_expect_null(fu_kpi_find(k, FU_KPI_CSAT, "2026-W11", "138****5678"), "no pooled group");
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    for (size_t i = 0; i < n; i++)
        cr_expect(!strstr(f[i].group, "12345678") && !strstr(f[i].group, "00005678"), "%s", f[i].group);
    const fu_kpi_scorecard *sc = NULL;
    size_t nsc = 0;
    cr_assert_eq(fu_kpi_scorecards(k, &sc, &nsc), FU_OK);
    cr_assert_eq(nsc, 3);
    cr_expect_str_eq(sc[0].agent, "138****5678 #1");
    cr_expect_str_eq(sc[1].agent, "138****5678 #2");
    /* each partition alone has one of the two (no suffix); merged: the whole book's */
    fu_book *b1 = m1_book(M1_EV, "AC"), *b2 = m1_book(M1_EV, "B");
    fu_kpi *k1 = engine(p, &o, b1), *k2 = engine(p, &o, b2);
    cr_assert_eq(fu_kpi_compute(k2, &n), FU_OK);
    cr_expect_eq(csat_of(k2, "138****5678"), 1);
    fu_kpi *merged = engine(p, &o, NULL);
    size_t len = 0;
    void *blob = partial_of(k1, &len);
    cr_assert_eq(fu_kpi_merge_partial(merged, blob, len), FU_OK, "%s", fu_error_last()->message);
    fu_free(blob);
    blob = partial_of(k2, &len);
    cr_assert_eq(fu_kpi_merge_partial(merged, blob, len), FU_OK, "%s", fu_error_last()->message);
    fu_free(blob);
    expect_same_figures(k, merged, "M1 partitions");
    cr_expect_eq(csat_of(merged, "138****5678 #2"), 5);
    fu_kpi_free(merged);
    fu_kpi_free(k2);
    fu_kpi_free(k1);
    fu_kpi_free(k);
    fu_book_free(b1);
    fu_book_free(b2);
    fu_book_free(whole);
    /* a label some agent has as its text is skipped */
    size_t el = strlen(M1_EV), dl = strlen(M1_EV_D);
    char ev[1024];
    memcpy(ev, M1_EV, el);
    memcpy(ev + el, strchr(M1_EV_D, '\n') + 1, dl - (size_t)(strchr(M1_EV_D, '\n') + 1 - M1_EV_D) + 1);
    fu_book *bd = book_of(M1_CUST, strlen(M1_CUST), ev, strlen(ev));
    k = engine(p, &o, bd);
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    cr_expect_eq(csat_of(k, "138****5678 #1"), 4, "agent D's own text");
    cr_expect_eq(csat_of(k, "138****5678 #2"), 1);
    cr_expect_eq(csat_of(k, "138****5678 #3"), 5);
    fu_kpi_free(k);
    fu_book_free(bd);
    fu_policy_free(p);
}

/* ---------------------------------------- partitions with due items (U13) */

/* Due items by hand: one for each of the first 90 customers of the sample whose
 * partition is 0 or 1 (partition 2 has none: a plan without touchpoints),
 * 13 to 20 days before as_of, agents A1, A2 or none. */
#define NDUE_MAX 90
typedef struct due_fx {
    fu_kpi_due d[NDUE_MAX];
    int part[NDUE_MAX];
    size_t n;
} due_fx;

static void due_items(const sample *s, int64_t as_of, due_fx *x) {
    static const char *const agents[3] = {"A1", "A2", NULL};
    x->n = 0;
    for (size_t i = 0; i < NDUE_MAX; i++) {
        const char *id = fu_book_customer(s->whole, i)->id;
        if (part_of(id) == 2) continue;
        fu_kpi_due *d = &x->d[x->n];
        d->customer_id = id;
        d->due_from = as_of - 20 * 86400 + (int64_t)i * 3600;
        d->due_to = d->due_from + 7 * 86400;
        d->agent_id = agents[i % 3];
        x->part[x->n++] = part_of(id);
    }
    cr_assert_gt(x->n, 20);
}

/* The partial of partition i with its due items (add_due even when it has none). */
static void *due_partial(const sample *s, const fu_kpi_options *o, const due_fx *x, int i, size_t *len) {
    fu_kpi *k = engine(s->p, o, s->part[i]);
    fu_kpi_due mine[NDUE_MAX];
    size_t m = 0;
    for (size_t j = 0; j < x->n; j++)
        if (x->part[j] == i) mine[m++] = x->d[j];
    cr_assert_eq(fu_kpi_add_due(k, mine, m), FU_OK, "%s", fu_error_last()->message);
    void *b = partial_of(k, len);
    fu_kpi_free(k);
    return b;
}

static double coverage_n(fu_kpi *k) {
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK, "%s", fu_error_last()->message);
    const fu_kpi_figure *f = fu_kpi_figures(k, &n);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].kpi == FU_KPI_COVERAGE) total += (double)f[i].n;
    return total;
}

Test(kpi_partial, partitions_with_due_items_merge_into_an_empty_engine) {
    sample s;
    sample_load(&s);
    const unsigned bys[3] = {0, FU_KPI_BY_AGENT, FU_KPI_BY_TIER};
    const fu_kpi_period periods[3] = {FU_KPI_WEEK, FU_KPI_MONTH, FU_KPI_DAY};
    for (int v = 0; v < 3; v++) {
        fu_kpi_options o = opts_of(bys[v], periods[v]);
        due_fx x;
        due_items(&s, o.as_of, &x);
        fu_kpi *whole = engine(s.p, &o, s.whole);
        cr_assert_eq(fu_kpi_add_due(whole, x.d, x.n), FU_OK);
        fu_kpi *into = engine(s.p, &o, NULL); /* what Python and Lua can build: no flag */
        for (int i = 0; i < NPART; i++) {
            size_t len = 0;
            void *b = due_partial(&s, &o, &x, i, &len);
            cr_assert_eq(fu_kpi_merge_partial(into, b, len), FU_OK, "%s", fu_error_last()->message);
            fu_free(b);
        }
        expect_same_figures(whole, into, "due items, merged into an empty engine");
        if (v == 0) /* one customer a due item, weekly cells: coverage counts exactly the items given */
            cr_expect_eq(coverage_n(into), (double)x.n);
        fu_kpi_free(into);
        fu_kpi_free(whole);
    }
    sample_free(&s);
}

Test(kpi_partial, due_items_given_and_derived_do_not_mix) {
    sample s;
    sample_load(&s);
    fu_kpi_options o = opts_of(0, FU_KPI_WEEK);
    due_fx x;
    due_items(&s, o.as_of, &x);
    size_t lg = 0, ld = 0, lf = 0;
    void *given = due_partial(&s, &o, &x, 0, &lg);
    fu_kpi *dk = engine(s.p, &o, s.part[1]);
    void *derived = partial_of(dk, &ld);
    fu_kpi_free(dk);
    /* given first: the empty engine takes add_due from it, a derived partial is then refused */
    fu_kpi *into = engine(s.p, &o, NULL);
    cr_assert_eq(fu_kpi_merge_partial(into, given, lg), FU_OK, "%s", fu_error_last()->message);
    expect_refused(into, derived, ld, "the partial derives its due items from the policy's cadences (no add_due), "
                                      "this engine counts coverage from the due items given to it (add_due)");
    fu_kpi_free(into);
    /* derived first: nothing to take; a given partial is then refused */
    into = engine(s.p, &o, NULL);
    cr_assert_eq(fu_kpi_merge_partial(into, derived, ld), FU_OK, "%s", fu_error_last()->message);
    expect_refused(into, given, lg, "the partial counts coverage from the due items given to it (add_due), this "
                                    "engine derives them from the policy's cadences");
    fu_kpi_free(into);
    /* an engine with events of its own and no add_due takes nothing */
    into = engine(s.p, &o, s.part[2]);
    expect_refused(into, given, lg, "(add_due), this engine derives them");
    fu_kpi_free(into);
    /* a refused first partial leaves the empty engine as it was: derived partials still merge */
    fu_kpi_options late = o;
    late.as_of += 86400;
    void *foreign = due_partial(&s, &late, &x, 1, &lf);
    into = engine(s.p, &o, NULL);
    expect_refused(into, foreign, lf, "another as_of");
    cr_assert_eq(fu_kpi_merge_partial(into, derived, ld), FU_OK, "%s", fu_error_last()->message);
    fu_kpi_free(into);
    /* FU_KPI_COPY_BOOKS changes no figure: partials with and without it merge */
    fu_kpi_options copy = o;
    copy.flags |= FU_KPI_COPY_BOOKS;
    fu_kpi *ck = engine(s.p, &copy, s.part[2]);
    void *copied = partial_of(ck, &lf);
    fu_kpi_free(ck);
    into = engine(s.p, &o, NULL);
    cr_assert_eq(fu_kpi_merge_partial(into, derived, ld), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_merge_partial(into, copied, lf), FU_OK, "%s", fu_error_last()->message);
    fu_kpi_free(into);
    fu_free(copied);
    fu_free(foreign);
    fu_free(derived);
    fu_free(given);
    sample_free(&s);
}

/* ------------------------- the inputs of partition engines (review s12 U9, U10) */

Test(kpi_partial, segment_labels_once_and_groupings_in_any_case) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    fu_kpi_options o = opts_of(FU_KPI_BY_SEGMENT, FU_KPI_WEEK);
    fu_kpi *k = engine(p, &o, NULL);
    const char *ids[3] = {"C1", "C2", "C1"}, *labels[3] = {"gold", "silver", "bronze"};
    cr_assert_eq(fu_kpi_set_segments(k, ids, labels, 3), FU_EINVAL);
    cr_expect_str_eq(fu_error_last()->message, "fu_kpi_set_segments: entry 2: customer 'C1' is in segment 'gold' "
                                               "(entry 0) and 'bronze' here (one label per customer)");
    labels[2] = "gold"; /* the same label twice is one label */
    cr_assert_eq(fu_kpi_set_segments(k, ids, labels, 3), FU_OK, "%s", fu_error_last()->message);
    fu_kpi_free(k);
    fu_policy_free(p);
    unsigned by = 0;
    cr_assert_eq(fu_kpi_by_from_string("Tier, AGENT", 11, &by), FU_OK);
    cr_expect_eq(by, FU_KPI_BY_TIER | FU_KPI_BY_AGENT);
    cr_assert_eq(fu_kpi_by_from_string("NONE", 4, &by), FU_OK);
    cr_expect_eq(by, 0u);
    cr_assert_eq(fu_kpi_by_from_string("tier,agent,tier", 15, &by), FU_EPARSE);
    cr_expect_str_eq(fu_error_last()->message, "grouping 'tier' given twice (each dimension once)");
    fu_kpi_period per = FU_KPI_DAY;
    cr_assert_eq(fu_kpi_period_from_string("Month", 5, &per), FU_OK);
    cr_expect_eq(per, FU_KPI_MONTH);
    cr_assert_eq(fu_kpi_period_from_string("months", 6, &per), FU_EPARSE);
}

/* ---- review s13 I7: counts that no book can give, in a re-sealed blob ---- */

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void wr32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Offset of the first cell of a blob of blob_setup()'s options (header 169
 * bytes, tmin and tmax, the groups), and the number of cells. */
static size_t first_cell(const unsigned char *b, size_t *ncells) {
    size_t off = 169 + 16, ng = rd32(b + off);
    off += 4;
    for (size_t g = 0; g < ng; g++) {
        off += 4; /* tier, channel, class, pad */
        for (int s = 0; s < 2; s++) {
            uint32_t n = rd32(b + off);
            off += 4 + (n == UINT32_MAX ? 0 : n);
        }
    }
    *ncells = rd32(b + off);
    return off + 4;
}

/* A cell: pstart, group, 36 counts (cell_io's order: the six issue pairs n, x
 * first, then csat_n, top2_x, nps_n, nps_p, nps_d, ces_n, ...), 22 sums, churn delta. */
#define CELL_BYTES (8 + 4 + 36 * 4 + 22 * 8 + 8)
#define COUNT(cell, j) ((cell) + 12 + 4 * (j))

Test(kpi_partial, impossible_counts_in_a_resealed_blob_are_refused_naming_the_field) {
    blob_fx x;
    blob_setup(&x);
    size_t len = x.len, nc = 0;
    unsigned char *c = malloc(len);
    memcpy(c, x.blob, len);
    unsigned char *cell = c + first_cell(c, &nc);
    cr_assert_gt(nc, 0);
    cr_assert_eq((size_t)(cell - c) + nc * CELL_BYTES + 4 <= len, 1, "cells inside the blob");
    /* response_timeliness: more successes than trials */
    uint32_t n0 = rd32(COUNT(cell, 0));
    wr32(COUNT(cell, 1), n0 + 1000);
    reseal(c, len);
    char want[128];
    snprintf(want, sizeof want, "corrupt partial (cell 0: response_timeliness: %u successes of %u)",
             (unsigned)n0 + 1000, (unsigned)n0);
    expect_refused(x.into, c, len, want);
    /* CSAT top-2-box above the CSAT count */
    memcpy(c, x.blob, len);
    wr32(COUNT(cell, 13), rd32(COUNT(cell, 12)) + 1);
    reseal(c, len);
    expect_refused(x.into, c, len, "cell 0: csat top-2-box");
    /* a CSAT score sum beyond 5 a score */
    memcpy(c, x.blob, len);
    double big = 1e9;
    memcpy(cell + 12 + 36 * 4, &big, sizeof big);
    reseal(c, len);
    expect_refused(x.into, c, len, "cell 0: csat: score sums outside 1..5");
    /* unchanged: still accepted */
    memcpy(c, x.blob, len);
    reseal(c, len);
    cr_expect_eq(fu_kpi_merge_partial(x.into, c, len), FU_OK, "%s", fu_error_last()->message);
    free(c);
    blob_teardown(&x);
}

/* Two partials whose counts are each possible but add up past 2^32 - 1: the
 * compute refuses them instead of wrapping to a small count. */
Test(kpi_partial, counts_that_would_wrap_when_merged_are_refused) {
    blob_fx x;
    blob_setup(&x);
    fu_kpi *other = engine(x.s.p, &x.o, x.s.part[2]);
    size_t len2 = 0;
    unsigned char *blobs[2] = {x.blob, partial_of(other, &len2)};
    size_t lens[2] = {x.len, len2};
    for (int k = 0; k < 2; k++) {
        size_t nc = 0;
        unsigned char *cell = blobs[k] + first_cell(blobs[k], &nc);
        for (size_t i = 0; i < nc; i++, cell += CELL_BYTES) wr32(COUNT(cell, 0), UINT32_MAX - 1);
        reseal(blobs[k], lens[k]);
        cr_assert_eq(fu_kpi_merge_partial(x.into, blobs[k], lens[k]), FU_OK, "%s", fu_error_last()->message);
    }
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(x.into, &n), FU_ERANGE);
    cr_expect_not_null(strstr(fu_error_last()->message, "the response_timeliness count of a cell passes 4294967295"),
                       "%s", fu_error_last()->message);
    fu_free(blobs[1]);
    fu_kpi_free(other);
    blob_teardown(&x);
}
