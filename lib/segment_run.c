/* The segmentation pipeline (followup/segment_run.h): book summary -> purchase
 * model and Gamma-Gamma fits -> scores -> assignments -> segment CSV. */
#include "csv_internal.h"
#include "book_decode.h"
#include "errtext.h"
#include "segment_internal.h"
#include "followup/book.h"
#include "followup/segment_run.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct fu_segment_run {
    fu_segment_run_fit fit;
    char gg_error[512];
    char model_error[512];
    fu_segment_book_summary *bs;
    fu_segment_assignment *as;
    double *cols; /* p_alive, expected, clv: 3 * n */
};

FU_DEFINE_INIT(fu_segment_run_options_init, fu_segment_run_options, FU_SEGMENT_RUN_OPTIONS_INIT)

void fu_segment_run_free(fu_segment_run *r) {
    if (!r) return;
    fu_segment_book_summary_free(r->bs);
    FU_FREE_ALL(r->as, r->cols, r);
}

static int last_event_time(const fu_book *book, int64_t *now) {
    size_t ne = 0;
    fu__evbuf buf = {NULL, 0};
    const fu_event *ev;
    int rc = fu__book_events_decode(book, &buf, &ev, &ne);
    if (rc) return rc;
    if (ne == 0) return fu__error_set(FU_EINVAL, "the book has no events: give the as-of time");
    *now = ev[0].at;
    for (size_t i = 1; i < ne; i++)
        if (ev[i].at > *now) *now = ev[i].at;
    fu__evbuf_free(&buf);
    return FU_OK;
}

/* The customers with a purchase as model columns: x, t_x, T, zbar (m rows)
 * and the repeat customers with a value for Gamma-Gamma (gx, gz: g rows). */
typedef struct model_cols {
    double *buf, *x, *tx, *T, *z, *gx, *gz, *out;
    size_t m, g;
} model_cols;

static int model_cols_make(const fu_segment_summary *s, size_t n, model_cols *c) {
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < n; i++) c->m += s->first_at[i] != FU_SEGMENT_NO_PURCHASE;
    if (c->m == 0) return FU_OK;
    size_t m = c->m;
    c->buf = fu__calloc(9 * m, sizeof *c->buf);
    if (!c->buf) return fu__error_nomem();
    c->x = c->buf, c->tx = c->buf + m, c->T = c->buf + 2 * m, c->z = c->buf + 3 * m;
    c->gx = c->buf + 4 * m, c->gz = c->buf + 5 * m, c->out = c->buf + 6 * m;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s->first_at[i] == FU_SEGMENT_NO_PURCHASE) continue;
        c->x[k] = s->x[i];
        c->tx[k] = s->t_x[i];
        c->T[k] = s->T[i];
        c->z[k] = s->zbar[i];
        if (s->x[i] > 0 && s->zbar[i] > 0) {
            c->gx[c->g] = s->x[i];
            c->gz[c->g] = s->zbar[i];
            c->g++;
        }
        k++;
    }
    return FU_OK;
}

/* The one rule (CLI, Python and Lua alike) for a Gamma-Gamma fit that
 * converged but does not identify the spend model: the expected value of a
 * customer is (gamma + x zbar) p / (p x + q - 1), a mean of the population's
 * and the customer's own, weighing the own mean by p x / (p x + q - 1). A fit
 * that runs towards q, gamma -> infinity (no spread of spend between
 * customers) weighs it below 1% even for the most frequent buyer: every CLV
 * would be the population mean, an artefact of the optimizer's stopping
 * point (q = 1670, gamma = 1.9e8 on examples/sample/realistic). 0 then, with
 * the reason in why. */
#define GG_MIN_OWN_WEIGHT 0.01
static int gg_identified(const fu_segment_gammagamma *g, const model_cols *c, char *why, size_t nwhy) {
    double xmax = 0;
    for (size_t i = 0; i < c->g; i++)
        if (c->gx[i] > xmax) xmax = c->gx[i];
    double w = g->p * xmax / (g->p * xmax + g->q - 1);
    if (w >= GG_MIN_OWN_WEIGHT) return 1;
    snprintf(why, nwhy,
             "Gamma-Gamma: the data do not identify the model: the fit (p = %.6g, q = %.6g, gamma = %.6g) gives a "
             "customer's own mean value a weight of %.2g%% at most (%g repeat purchases), below %g%%: every CLV "
             "would be the population mean",
             g->p, g->q, g->gamma, 100 * w, xmax, 100 * GG_MIN_OWN_WEIGHT);
    return 0;
}

/* Prefix the error with the customer of model row k (the k-th customer with
 * a purchase), its id masked as in every error text. */
static void name_buyer(const fu_book *book, const fu_segment_book_summary *bs, size_t k) {
    const fu_segment_summary *s = bs->summary;
    for (size_t i = 0; i < bs->n; i++) {
        if (s->first_at[i] == FU_SEGMENT_NO_PURCHASE) continue;
        if (k-- == 0) {
            char q[FU_ERRTEXT_CELL_CAP];
            fu__error_prefix("customer '%s'", fu__errtext_cell_str(q, sizeof q, fu__book_customer_id(book, i)));
            return;
        }
    }
}

/* Fit the purchase model and Gamma-Gamma, score into c->out (3 * m). */
static int fit_and_score(fu_segment_run *r, const fu_book *book, model_cols *c) {
    const fu_segment_book_summary *bs = r->bs;
    fu_segment_run_fit *f = &r->fit;
    int pareto = f->model == FU_SEGMENT_MODEL_PARETO;
    const char *name = pareto ? "Pareto/NBD" : "BG/NBD";
    int rc = pareto ? fu_segment_pareto_fit(c->x, c->tx, c->T, c->m, NULL, &f->info, &f->pareto)
                    : fu_segment_bgnbd_fit(c->x, c->tx, c->T, c->m, NULL, &f->info, &f->bgnbd);
    if (rc) {
        if (rc != FU_ENOMEM && rc != FU_ECANCELED)
            fu__error_prefix("cannot fit the %s model on %zu customers with purchases", name, c->m);
        return rc;
    }
    f->has_gammagamma = 1;
    f->repeat_customers = c->g;
    if ((rc = fu_segment_gammagamma_fit(c->gx, c->gz, c->g, NULL, &f->gammagamma_info, &f->gammagamma))) {
        if (rc == FU_ENOMEM || rc == FU_ECANCELED) return rc;
        fu_error_format(r->gg_error, sizeof r->gg_error); /* not identified: no CLV */
        f->has_gammagamma = 0;
        fu_error_clear();
    } else if (!gg_identified(&f->gammagamma, c, r->gg_error, sizeof r->gg_error)) {
        f->has_gammagamma = 0;
    }
    /* CLV: monthly periods over the horizon, the annual rate as a monthly one */
    fu_segment_score_options so = FU_SEGMENT_SCORE_OPTIONS_INIT;
    so.horizon = f->horizon;
    so.period = 2629746.0 / f->unit_seconds;
    double periods = floor(f->horizon / so.period + 0.5);
    so.periods = periods < 1 ? 1u : (unsigned)periods;
    so.discount = pow(1 + f->annual_discount, 1.0 / 12) - 1;
    const fu_segment_gammagamma *gg = f->has_gammagamma ? &f->gammagamma : NULL;
    double *clv = gg ? c->out + 2 * c->m : NULL;
    size_t bad = SIZE_MAX;
    rc = fu__segment_score_rows(pareto, pareto ? (const void *)&f->pareto : (const void *)&f->bgnbd, gg, c->x, c->tx,
                                c->T, c->z, c->m, &so, c->out, c->out + c->m, clv, &bad);
    if (rc && rc != FU_ENOMEM && rc != FU_ECANCELED) {
        if (bad < c->m) name_buyer(book, bs, bad);
        fu__error_prefix("cannot score the customers");
    }
    return rc;
}

static int check_options(const fu_segment_run_options *o) {
    if (o->version != FU_SEGMENT_RUN_OPTIONS_VERSION)
        return fu__error_set(FU_EINVAL, "fu_segment_run_options: version %u, expected %u", o->version,
                             FU_SEGMENT_RUN_OPTIONS_VERSION);
    if (o->model != FU_SEGMENT_MODEL_BGNBD && o->model != FU_SEGMENT_MODEL_PARETO)
        return fu__error_set(FU_EINVAL, "fu_segment_run_options: unknown model %d", (int)o->model);
    if (!(o->unit_seconds > 0) || !isfinite(o->unit_seconds))
        return fu__error_set(FU_EINVAL, "fu_segment_run_options: unit_seconds must be positive");
    if (!(o->annual_discount < 1))
        return fu__error_set(FU_EINVAL, "fu_segment_run_options: annual_discount must be below 1");
    if (isnan(o->horizon)) return fu__error_set(FU_EINVAL, "fu_segment_run_options: horizon is NaN");
    return FU_OK;
}

/* Summarize, fit, score and assign into r (the run's settings are in r->fit). */
static int run_pipeline(fu_segment_run *r, const fu_book *book, const fu_segment_rules *rules,
                        const fu_segment_run_options *o) {
    fu_segment_book_options bo = FU_SEGMENT_BOOK_OPTIONS_INIT;
    bo.unit_seconds = o->unit_seconds;
    bo.local_days = o->local_days;
    bo.day_offset = o->day_offset;
    int rc = fu_segment_book_summarize(book, r->fit.now, rules, &bo, &r->bs);
    if (rc) return rc;
    size_t n = r->bs->n;
    r->cols = fu__malloc(3 * (n ? n : 1) * sizeof *r->cols);
    r->as = fu__calloc(n ? n : 1, sizeof *r->as);
    if (!r->cols || !r->as) return fu__error_nomem();
    double *p_alive = r->cols, *expected = r->cols + n, *clv = r->cols + 2 * n;
    for (size_t i = 0; i < 3 * n; i++) r->cols[i] = NAN;
    model_cols c;
    if ((rc = model_cols_make(r->bs->summary, n, &c))) return rc;
    if (c.m == 0) {
        rc = fu__error_set(FU_ERANGE, "cannot fit the %s model: no customer has a purchase before the as-of time",
                           r->fit.model == FU_SEGMENT_MODEL_PARETO ? "Pareto/NBD" : "BG/NBD");
    } else if ((rc = fit_and_score(r, book, &c)) != FU_OK && rc != FU_ENOMEM && rc != FU_ECANCELED) {
        fu_error_format(r->model_error, sizeof r->model_error); /* no model figures; the rules still assign */
        fu_error_clear();
        r->fit.has_model = 0;
        r->fit.has_gammagamma = 0;
        rc = FU_OK;
    } else if (rc == FU_OK) {
        const fu_segment_summary *s = r->bs->summary;
        for (size_t i = 0, k = 0; i < n; i++) {
            if (s->first_at[i] == FU_SEGMENT_NO_PURCHASE) continue;
            p_alive[i] = c.out[k];
            expected[i] = c.out[c.m + k];
            clv[i] = r->fit.has_gammagamma ? c.out[2 * c.m + k] : NAN;
            k++;
        }
    }
    fu__free(c.buf);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        r->bs->customers[i].p_alive = isnan(p_alive[i]) ? -1 : p_alive[i];
        r->bs->customers[i].clv = clv[i];
    }
    return fu_segment_assign(r->bs->customers, n, r->fit.now, rules, r->as);
}

int fu_segment_run_new(fu_segment_run **out, const fu_book *book, int64_t now, const fu_segment_rules *rules,
                       const fu_segment_run_options *opts) {
    if (out) *out = NULL;
    if (!out || !book || !rules)
        return fu__error_set(FU_EINVAL, "fu_segment_run_new: %s is NULL", !out ? "out" : !book ? "book" : "rules");
    fu_segment_run_options o = FU_SEGMENT_RUN_OPTIONS_INIT;
    if (opts) o = *opts;
    int rc = check_options(&o);
    if (rc) return rc;
    if (now == FU_SEGMENT_RUN_LAST_EVENT && (rc = last_event_time(book, &now))) return rc;
    fu_segment_run *r = fu__calloc(1, sizeof *r);
    if (!r) return fu__error_nomem();
    r->fit.model = o.model;
    r->fit.now = now;
    r->fit.unit_seconds = o.unit_seconds;
    r->fit.horizon = o.horizon < 0 ? (double)rules->clv_horizon / o.unit_seconds : o.horizon;
    r->fit.annual_discount = o.annual_discount < 0 ? rules->clv_annual_discount : o.annual_discount;
    r->fit.gammagamma_error = r->gg_error;
    r->fit.has_model = 1;
    r->fit.model_error = r->model_error;
    if ((rc = run_pipeline(r, book, rules, &o))) {
        fu_segment_run_free(r);
        return rc;
    }
    *out = r;
    return FU_OK;
}

const fu_segment_run_fit *fu_segment_run_fit_result(const fu_segment_run *r) { return r ? &r->fit : NULL; }
size_t fu_segment_run_count(const fu_segment_run *r) { return r ? r->bs->n : 0; }
const fu_segment_book_summary *fu_segment_run_summary(const fu_segment_run *r) { return r ? r->bs : NULL; }
const fu_segment_assignment *fu_segment_run_assignments(const fu_segment_run *r) { return r ? r->as : NULL; }
const double *fu_segment_run_p_alive(const fu_segment_run *r) { return r ? r->cols : NULL; }
const double *fu_segment_run_expected(const fu_segment_run *r) { return r ? r->cols + r->bs->n : NULL; }
const double *fu_segment_run_clv(const fu_segment_run *r) { return r ? r->cols + 2 * r->bs->n : NULL; }

/* ------------------------------------------------------------ segment CSV */

static void num_cell(fu__buf *b, const char *fmt, double v, unsigned int flags) {
    char t[64] = "";
    if (!isnan(v)) snprintf(t, sizeof t, fmt, v);
    fu__csv_putf(b, 0, t, flags);
}

static void segment_row(fu__buf *b, const fu_segment_run *r, const fu_book *book, size_t i, unsigned int flags) {
    const fu_segment_assignment *a = &r->as[i];
    const fu_segment_rfm *q = &r->bs->rfm[i];
    size_t n = r->bs->n;
    char rfm[3][8] = {"", "", ""};
    if (q->r) {
        snprintf(rfm[0], sizeof rfm[0], "%u", q->r);
        snprintf(rfm[1], sizeof rfm[1], "%u", q->f);
        snprintf(rfm[2], sizeof rfm[2], "%u", q->m);
    }
    char rule[512];
    int len = snprintf(rule, sizeof rule, "%s;%s", a->tier_rule, a->lifecycle_rule);
    if (a->segment_rule && len > 0 && (size_t)len < sizeof rule)
        len += snprintf(rule + len, sizeof rule - (size_t)len, ";%s", a->segment_rule);
    if (a->handling_rule && a->handling_rule != a->segment_rule && len > 0 && (size_t)len < sizeof rule)
        snprintf(rule + len, sizeof rule - (size_t)len, ";%s", a->handling_rule);
    fu__csv_putf(b, 1, fu__book_customer_id(book, i), flags);
    fu__csv_putf(b, 0, a->tier_name, flags);
    fu__csv_putf(b, 0, fu_segment_lifecycle_name(a->lifecycle), flags);
    for (int k = 0; k < 3; k++) fu__csv_putf(b, 0, rfm[k], flags);
    num_cell(b, "%.6f", r->cols[i], flags);
    num_cell(b, "%.6f", r->cols[n + i], flags);
    num_cell(b, "%.2f", r->cols[2 * n + i], flags);
    fu__csv_putf(b, 0, a->segment ? a->segment : "", flags);
    fu__csv_putf(b, 0, rule, flags);
    fu__csv_putf(b, 0, a->human ? "human" : "automated", flags);
    fu__csv_end(b);
}

int fu_segment_run_write_csv_to_string(const fu_segment_run *r, const fu_book *book, unsigned int flags, size_t *len,
                                       char **out) {
    if (len) *len = 0;
    if (out) *out = NULL;
    if (!r || !book || !out)
        return fu__error_set(FU_EINVAL, "fu_segment_run_write_csv_to_string: %s is NULL",
                             !r ? "run" : !book ? "book" : "out");
    if (flags & ~FU_SEGMENT_CSV_RAW) return fu__error_set(FU_EINVAL, "unknown flags 0x%x", flags);
    if (fu_book_customer_count(book) != r->bs->n)
        return fu__error_set(FU_EINVAL, "the book has %zu customers, the run %zu: not the run's book",
                             fu_book_customer_count(book), r->bs->n);
    unsigned int cf = (flags & FU_SEGMENT_CSV_RAW) ? FU__CSV_RAW : 0u;
    static const char *const hdr[] = {"customer_id", "tier", "lifecycle", "r", "f", "m", "p_alive",
                                      "expected_purchases", "clv", "segment", "rule", "handling"};
    fu__buf b = FU__BUF_INIT;
    for (size_t k = 0; k < 12; k++) fu__csv_putf(&b, k == 0, hdr[k], cf);
    fu__csv_end(&b);
    for (size_t i = 0; i < r->bs->n && !b.failed; i++) segment_row(&b, r, book, i, cf);
    if (b.failed) {
        fu__buf_free(&b);
        return FU_ENOMEM; /* the error is set by the writer */
    }
    size_t l = b.len;
    *out = fu__buf_detach(&b);
    if (!*out) return fu__error_nomem();
    if (len) *len = l;
    return FU_OK;
}

int fu_segment_run_write_csv(const fu_segment_run *r, const fu_book *book, unsigned int flags, const char *path) {
    if (!path) return fu__error_set(FU_EINVAL, "fu_segment_run_write_csv: NULL path");
    char *s = NULL;
    size_t n = 0;
    int rc = fu_segment_run_write_csv_to_string(r, book, flags, &n, &s);
    if (rc == FU_OK) rc = fu__outfile_write(path, s, n);
    fu__free(s);
    return rc;
}
