/* CLV decides human vs automated (channels.by_clv, docs/planner.md "Who makes
 * the call"): a CSV of customer_id and clv (the segment CSV of `followup
 * segment` has both) or an array by book index, and the rule the planner
 * applies to every candidate before consent. */
#include "planner_clv.h"

#include "csv_internal.h"
#include "errtext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void fu__clv_free(fu__clv *k) {
    if (!k) return;
    fu__free(k->v);
    fu__free(k);
}

static int dbl_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The one-to-one threshold: channels.by_clv.human_at_least, else the
 * segments.clv.human_from_quantile quantile of the known CLVs (the
 * definition of `followup segment`: the ceil(q m)-th smallest of m). */
static int threshold(fu__clv *k, const fu__policy *P) {
    k->quantile = NAN;
    k->threshold = P->by_clv.human_at_least;
    if (!isnan(k->threshold)) return FU_OK;
    double q = P->segments.clv_human_from_quantile;
    size_t m = 0;
    for (size_t i = 0; i < k->n; i++) m += isfinite(k->v[i]);
    k->quantile = q;
    k->threshold = INFINITY;
    if (!m) return FU_OK;
    double *v = fu__malloc(m * sizeof *v);
    if (!v) return fu__error_nomem();
    m = 0;
    for (size_t i = 0; i < k->n; i++)
        if (isfinite(k->v[i])) v[m++] = k->v[i];
    qsort(v, m, sizeof *v, dbl_cmp);
    double pos = ceil(q * (double)m - 1e-9);
    size_t j = pos <= 0 ? 0 : (size_t)pos;
    if (j > m - 1) j = m - 1;
    k->threshold = v[j];
    fu__free(v);
    return FU_OK;
}

static int install(fu_planner *pl, fu__clv *k) {
    int rc = threshold(k, fu__planner_policy(pl));
    if (rc) return fu__clv_free(k), rc;
    fu__clv **cur = fu__planner_clv(pl);
    fu__clv_free(*cur);
    *cur = k;
    return FU_OK;
}

static fu__clv *clv_new(size_t n) {
    fu__clv *k = fu__calloc(1, sizeof *k);
    if (k) k->v = fu__malloc((n ? n : 1) * sizeof *k->v);
    if (!k || !k->v) {
        fu__clv_free(k);
        fu__error_nomem();
        return NULL;
    }
    k->n = n;
    for (size_t i = 0; i < n; i++) k->v[i] = NAN;
    return k;
}

int fu_planner_set_clv_values(fu_planner *pl, const double *clv, size_t n) {
    if (!pl || (!clv && n))
        return fu__error_set(FU_EINVAL, "fu_planner_set_clv_values: %s is NULL", !pl ? "planner" : "clv");
    fu__clv **cur = fu__planner_clv(pl);
    if (!n) {
        fu__clv_free(*cur);
        *cur = NULL;
        return FU_OK;
    }
    size_t nc = fu_book_customer_count(fu__planner_book(pl));
    if (n != nc)
        return fu__error_set(FU_EINVAL, "fu_planner_set_clv_values: %zu values for a book of %zu customers", n, nc);
    for (size_t i = 0; i < n; i++)
        if (isinf(clv[i]) || clv[i] < 0)
            return fu__error_set(FU_EINVAL, "fu_planner_set_clv_values: value %zu is not a CLV >= 0 (NaN: unknown)", i);
    fu__clv *k = clv_new(n);
    if (!k) return FU_ENOMEM;
    memcpy(k->v, clv, n * sizeof *clv);
    return install(pl, k);
}

static const char *cell(const fu__csv *r, long col, size_t *len) {
    *len = 0;
    if (col < 0 || (size_t)col >= fu__csv_count(r)) return "";
    const char *s = fu__csv_field(r, (size_t)col, len);
    while (*len && (s[0] == ' ' || s[0] == '\t')) s++, (*len)--;
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t')) (*len)--;
    return s;
}

static int clv_row(const fu__csv *r, const fu_book *book, long cid, long ccl, fu__clv *k) {
    size_t len, ci;
    const char *s = cell(r, cid, &len);
    if (!len) return fu__csv_error_at(r, (size_t)cid, FU_EPARSE, "empty customer_id");
    if (fu_book_find_customer(book, s, len, &ci)) return fu_error_clear(), FU_OK; /* another partition's */
    if (!isnan(k->v[ci])) {
        char q[FU_ERRTEXT_CELL_CAP]; /* quoted: masked, as the other readers' errors (review s13) */
        return fu__csv_error_at(r, (size_t)cid, FU_EPARSE, "customer '%s' appears twice",
                                fu__errtext_cell(q, sizeof q, s, len));
    }
    s = cell(r, ccl, &len);
    if (!len || (len == 3 && (memcmp(s, "nan", 3) == 0 || memcmp(s, "NaN", 3) == 0))) return FU_OK; /* unknown */
    char buf[64], *end = NULL;
    if (len >= sizeof buf) return fu__csv_error_at(r, (size_t)ccl, FU_EPARSE, "expected a number >= 0");
    memcpy(buf, s, len);
    buf[len] = '\0';
    double v = strtod(buf, &end);
    if (*end || !isfinite(v) || v < 0) return fu__csv_error_at(r, (size_t)ccl, FU_EPARSE, "expected a number >= 0");
    k->v[ci] = v;
    return FU_OK;
}

/* The column named `name` at header field i, refused when an earlier field
 * has the same name: which one is meant cannot be told (as the --bank
 * reader, review s13). */
static int header_col(const fu__csv *r, size_t i, const char *name, long *col) {
    if (!fu__csv_header_is(r, i, name)) return FU_OK;
    if (*col >= 0)
        return fu__csv_error_at(r, i, FU_EPARSE, "column '%s' appears twice (fields %ld and %zu)", name, *col + 1,
                                i + 1);
    *col = (long)i;
    return FU_OK;
}

static int read_clv(fu_planner *pl, fu__csv *r) {
    const fu_book *book = fu__planner_book(pl);
    fu__clv *k = clv_new(fu_book_customer_count(book));
    long cid = -1, ccl = -1;
    int rc = k ? fu__csv_read_header(r) : FU_ENOMEM;
    size_t nh = rc ? 0 : fu__csv_header_count(r);
    for (size_t i = 0; i < nh && !rc; i++) {
        rc = header_col(r, i, "customer_id", &cid);
        if (!rc) rc = header_col(r, i, "clv", &ccl);
    }
    if (!rc && (cid < 0 || ccl < 0))
        rc = fu__error_set_at(FU_EPARSE, fu__csv_source(r), fu__csv_record_line(r), 1, cid < 0 ? "customer_id" : "clv",
                              "missing required column '%s'", cid < 0 ? "customer_id" : "clv");
    while (!rc) {
        rc = fu__csv_next(r);
        if (rc <= 0) break;
        rc = fu__csv_check_width(r);
        if (!rc) rc = clv_row(r, book, cid, ccl, k);
    }
    fu__csv_close(r);
    if (rc < 0) return fu__clv_free(k), rc;
    return install(pl, k);
}

int fu_planner_set_clv(fu_planner *pl, const char *csv, size_t len, const char *source) {
    if (!pl || (!csv && len))
        return fu__error_set(FU_EINVAL, "fu_planner_set_clv: %s is NULL", !pl ? "planner" : "csv");
    if (!len) return fu_planner_set_clv_values(pl, NULL, 0);
    fu__csv *r;
    int rc = fu__csv_open_mem(csv, len, source ? source : "<clv>", 0, 0, &r);
    return rc ? rc : read_clv(pl, r);
}

int fu_planner_read_clv(fu_planner *pl, const char *path) {
    if (!pl || !path) return fu__error_set(FU_EINVAL, "fu_planner_read_clv: %s is NULL", !pl ? "planner" : "path");
    fu__csv *r;
    int rc = fu__csv_open_file(path, 0, 0, &r);
    return rc ? rc : read_clv(pl, r);
}

static int is_human(int ch) {
    return ch == FU_CHANNEL_PHONE || ch == FU_CHANNEL_VIDEO || ch == FU_CHANNEL_CHAT || ch == FU_CHANNEL_VISIT;
}

int fu__clv_channel(const fu__clv *k, const fu__policy *P, size_t ci, int channel, int prio, int *applies) {
    const fu__pol_by_clv *bc = &P->by_clv;
    *applies = 0;
    if (!k || !bc->set || ci >= k->n || isnan(k->v[ci])) return channel;
    if (bc->priorities && !((bc->priorities >> prio) & 1u)) return channel;
    *applies = 1;
    int high = k->v[ci] >= k->threshold;
    if (high && !is_human(channel)) return (int)bc->human + 1; /* policy channels start at phone = 0 */
    if (!high && is_human(channel)) return (int)bc->automated + 1;
    return channel;
}

void fu__clv_reason(const fu__clv *k, size_t ci, int from, int to, fu__buf *b) {
    double v = k->v[ci];
    int high = v >= k->threshold;
    if (from != to)
        fu__buf_printf(b, ", %s instead of %s", fu_channel_name((fu_channel)to), fu_channel_name((fu_channel)from));
    else fu__buf_puts(b, high ? ", one-to-one" : ", automated");
    fu__buf_printf(b, " (channels.by_clv: CLV %.0f %s ", v, high ? "at or above" : "below");
    if (isinf(k->threshold)) fu__buf_puts(b, "any");
    else fu__buf_printf(b, "%.0f", k->threshold);
    if (isnan(k->quantile)) fu__buf_puts(b, ", channels.by_clv.human_at_least)");
    else fu__buf_printf(b, ", the %.0f%% quantile of the known CLVs, segments.clv.human_from_quantile)", k->quantile * 100);
}
