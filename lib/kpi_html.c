/* The KPI dashboard as one self-contained HTML page: RAG tiles with interval
 * whiskers, trend charts and a breakdown table, in inline CSS and SVG (no
 * script, no external resource). Uses only the public figures of fu_kpi, so
 * the CLI, Python and Lua share one writer. SVG coordinates are integers, so
 * the page does not depend on the C locale's decimal point. */
#include "internal.h"

#include "followup/kpi.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ values */

/* How a KPI's value is shown and on which axis it is drawn. */
/* U_RATE is a share in 0..1; U_PCT is shown in percent too but is no bounded
 * rate (budget_overrun and the uplifts go below 0 and above 100%), so its
 * axis is drawn from the data, like hours and ratios. */
enum { U_RATE, U_HOURS, U_SCORE5, U_NPS, U_SCORE7, U_RATIO, U_UNIT, U_PCT };
static const unsigned char kpi_unit[FU_KPI_COUNT] = {
    U_RATE, U_RATE, U_HOURS, U_HOURS, U_RATE, U_RATE, U_RATE, U_RATE, U_SCORE5, U_RATE,
    U_NPS,  U_SCORE7, U_RATE, U_RATE, U_RATE, U_RATE, U_RATE, U_RATE, U_RATIO, U_UNIT,
    U_RATE, U_PCT,  U_PCT,  U_PCT,  U_RATIO};

static void fmt_value(char *buf, size_t size, fu_kpi_id id, double v) {
    if (isnan(v)) {
        snprintf(buf, size, "–");
        return;
    }
    switch (kpi_unit[id]) {
    case U_RATE:
    case U_PCT: snprintf(buf, size, "%.1f%%", 100 * v); break;
    case U_HOURS: snprintf(buf, size, "%.1f h", v); break;
    case U_NPS: snprintf(buf, size, "%.0f", v); break;
    default: snprintf(buf, size, "%.2f", v); break;
    }
}

/* The axis of a chart: fixed for bounded scales; from the data otherwise,
 * always including 0, with a 10% margin on the side(s) the data reach (a
 * value of -97.8% or +148.5% is drawn where it is, not at the edge). */
static void axis_range(fu_kpi_id id, double data_min, double data_max, double *lo, double *hi) {
    static const double fixed[][2] = {{0, 1}, {0, 0}, {1, 5}, {-100, 100}, {1, 7}, {0, 0}, {0, 1}, {0, 0}};
    unsigned u = kpi_unit[id];
    *lo = fixed[u][0];
    *hi = fixed[u][1];
    if (u == U_HOURS || u == U_RATIO || u == U_PCT) {
        *lo = isfinite(data_min) && data_min < 0 ? data_min * 1.1 : 0;
        *hi = isfinite(data_max) && data_max > 0 ? data_max * 1.1 : *lo < 0 ? 0 : 1;
    }
}

/* Position of v on [lo, hi] mapped to [a, b], clamped; integer. */
static long scale(double v, double lo, double hi, long a, long b) {
    double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    return a + lround(t * (double)(b - a));
}

static double fmax_finite(double a, double b) {
    if (!isfinite(a)) return b;
    if (!isfinite(b)) return a;
    return a > b ? a : b;
}

static double fmin_finite(double a, double b) {
    if (!isfinite(a)) return b;
    if (!isfinite(b)) return a;
    return a < b ? a : b;
}

/* ------------------------------------------------------------ decisions */

int fu_kpi_figure_too_few(const fu_kpi_figure *f, double min_n) {
    if (!f) return 0;
    if (!(f->n >= min_n) || isnan(f->value)) return 1;
    if (isnan(f->target)) return 0;
    if (isnan(f->ci_low) || isnan(f->ci_high)) return 1;
    return f->ci_low <= f->target && f->target <= f->ci_high;
}

/* CSS class / data-status of a figure: green, yellow, red, few, none. */
static const char *decision(const fu_kpi_figure *f, double min_n) {
    if (fu_kpi_figure_too_few(f, min_n)) return "few";
    const char *s = fu_kpi_status_name((int)f->status);
    return s ? s : "none";
}

static const char *decision_label(const char *d) {
    return strcmp(d, "few") == 0 ? "too few data" : strcmp(d, "none") == 0 ? "no target" : d;
}

/* ------------------------------------------------------------ output */

static void esc(fu__buf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fu__buf_puts(b, "&amp;"); break;
        case '<': fu__buf_puts(b, "&lt;"); break;
        case '>': fu__buf_puts(b, "&gt;"); break;
        case '"': fu__buf_puts(b, "&quot;"); break;
        case '\'': fu__buf_puts(b, "&#39;"); break;
        default: fu__buf_append(b, s, 1); break;
        }
    }
}

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK SC',sans-serif;"
    "margin:24px;color:#1f2933;background:#fff}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}"
    ".meta{color:#52606d;font-size:13px;margin:0 0 8px}"
    ".legend{display:flex;gap:14px;list-style:none;padding:0;margin:8px 0;font-size:13px}"
    ".legend li::before{content:'';display:inline-block;width:12px;height:12px;margin-right:5px;"
    "vertical-align:-2px;border-radius:2px;background:var(--c)}"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}"
    ".tile{border:1px solid #d9e2ec;border-left:8px solid var(--c);border-radius:6px;padding:10px 12px}"
    ".tile .name{font-weight:600;font-size:14px}.tile .value{font-size:26px;font-weight:700;margin:2px 0}"
    ".tile .facts{font-size:12px;color:#52606d}.tile .status{font-size:12px;font-weight:600;color:var(--c)}"
    ".trends{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}"
    ".trend{border:1px solid #d9e2ec;border-radius:6px;padding:8px}.trend .name{font-weight:600;font-size:13px}"
    "table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #d9e2ec;padding:4px 6px;text-align:right}"
    "th{background:#f0f4f8}th:first-child,td.g{text-align:left}td.g{font-weight:600}.wide{overflow-x:auto}"
    "td.green,td.yellow,td.red,td.few,td.none{border-left:5px solid var(--c)}"
    ".green{--c:#2e7d32}.yellow{--c:#f9a825}.red{--c:#c62828}.few{--c:#9aa5b1}.none{--c:#486581}"
    "svg text{font-size:10px;fill:#52606d}";

/* The latest figure of `id` in group `group` of engine `k` (figures are
 * sorted by period, so the last match). */
static const fu_kpi_figure *latest_of(const fu_kpi_figure *f, size_t n, fu_kpi_id id, const char *group) {
    const fu_kpi_figure *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (f[i].kpi == id && strcmp(f[i].group, group) == 0) best = &f[i];
    return best;
}

/* The horizontal interval whisker of a tile, 200 x 30 units. */
static void whisker(fu__buf *b, const fu_kpi_figure *f, const char *d) {
    double lo, hi;
    axis_range(f->kpi, fmin_finite(fmin_finite(f->value, f->ci_low), f->target),
               fmax_finite(fmax_finite(f->value, f->ci_high), f->target), &lo, &hi);
    fu__buf_puts(b, "<svg class=\"whisker\" viewBox=\"0 0 200 30\" width=\"200\" height=\"30\" role=\"img\">");
    fu__buf_puts(b, "<line x1=\"4\" y1=\"15\" x2=\"196\" y2=\"15\" stroke=\"#d9e2ec\" stroke-width=\"2\"/>");
    if (!isnan(f->ci_low) && !isnan(f->ci_high))
        fu__buf_printf(b,
                       "<line x1=\"%ld\" y1=\"15\" x2=\"%ld\" y2=\"15\" stroke=\"#486581\" stroke-width=\"3\"/>"
                       "<line x1=\"%ld\" y1=\"9\" x2=\"%ld\" y2=\"21\" stroke=\"#486581\" stroke-width=\"2\"/>"
                       "<line x1=\"%ld\" y1=\"9\" x2=\"%ld\" y2=\"21\" stroke=\"#486581\" stroke-width=\"2\"/>",
                       scale(f->ci_low, lo, hi, 4, 196), scale(f->ci_high, lo, hi, 4, 196),
                       scale(f->ci_low, lo, hi, 4, 196), scale(f->ci_low, lo, hi, 4, 196),
                       scale(f->ci_high, lo, hi, 4, 196), scale(f->ci_high, lo, hi, 4, 196));
    if (!isnan(f->target)) {
        long x = scale(f->target, lo, hi, 4, 196);
        fu__buf_printf(b, "<line x1=\"%ld\" y1=\"2\" x2=\"%ld\" y2=\"28\" stroke=\"#1f2933\" stroke-dasharray=\"3 2\">"
                          "<title>target</title></line>", x, x);
    }
    if (!isnan(f->value))
        fu__buf_printf(b, "<circle class=\"%s\" cx=\"%ld\" cy=\"15\" r=\"5\" fill=\"var(--c)\" stroke=\"#fff\"/>", d,
                       scale(f->value, lo, hi, 4, 196));
    fu__buf_puts(b, "</svg>");
}

static void tile(fu__buf *b, const fu_kpi_figure *f, double min_n) {
    const char *d = decision(f, min_n);
    char v[48], lo[48], hi[48], tg[48];
    fmt_value(v, sizeof v, f->kpi, f->value);
    fmt_value(lo, sizeof lo, f->kpi, f->ci_low);
    fmt_value(hi, sizeof hi, f->kpi, f->ci_high);
    fmt_value(tg, sizeof tg, f->kpi, f->target);
    fu__buf_printf(b, "<div class=\"tile %s\" data-kpi=\"%s\" data-status=\"%s\" data-group=\"", d, f->name, d);
    esc(b, f->group);
    fu__buf_printf(b, "\"><div class=\"name\">%s</div><div class=\"value\">%s</div>", f->name, v);
    whisker(b, f, d);
    fu__buf_printf(b, "<div class=\"facts\">n = %.0f · interval %s … %s · target %s</div>", f->n, lo, hi, tg);
    fu__buf_puts(b, "<div class=\"facts\">");
    esc(b, f->period);
    if (f->rule && *f->rule) {
        fu__buf_puts(b, " · ");
        esc(b, f->rule);
    }
    fu__buf_printf(b, "</div><div class=\"status\">%s</div></div>\n", decision_label(d));
}

/* Trend chart of one KPI: the last `keep` figures of `group`, 320 x 130 units. */
static void trend(fu__buf *b, const fu_kpi_figure *f, size_t n, fu_kpi_id id, const char *group, size_t keep,
                  double min_n) {
    size_t total = 0, skip, k = 0;
    double dmin = NAN, dmax = NAN;
    for (size_t i = 0; i < n; i++)
        if (f[i].kpi == id && strcmp(f[i].group, group) == 0) total++;
    if (!total) return;
    skip = total > keep ? total - keep : 0;
    const fu_kpi_figure *first = NULL, *last = NULL;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kpi != id || strcmp(f[i].group, group) != 0 || k++ < skip) continue;
        if (!first) first = &f[i];
        last = &f[i];
        dmin = fmin_finite(dmin, fmin_finite(fmin_finite(f[i].value, f[i].ci_low), f[i].target));
        dmax = fmax_finite(dmax, fmax_finite(fmax_finite(f[i].value, f[i].ci_high), f[i].target));
    }
    size_t m = total - skip;
    double lo, hi;
    axis_range(id, dmin, dmax, &lo, &hi);
    char a[48], z[48];
    fmt_value(a, sizeof a, id, lo);
    fmt_value(z, sizeof z, id, hi);
    fu__buf_printf(b, "<div class=\"trend\" data-kpi=\"%s\"><div class=\"name\">%s</div>"
                      "<svg viewBox=\"0 0 320 130\" width=\"320\" height=\"130\" role=\"img\">"
                      "<line x1=\"56\" y1=\"10\" x2=\"56\" y2=\"110\" stroke=\"#d9e2ec\"/>"
                      "<line x1=\"56\" y1=\"110\" x2=\"312\" y2=\"110\" stroke=\"#d9e2ec\"/>"
                      "<text x=\"52\" y=\"14\" text-anchor=\"end\">%s</text>"
                      "<text x=\"52\" y=\"112\" text-anchor=\"end\">%s</text>",
                   first->name, first->name, z, a);
    if (lo < 0 && hi > 0) {
        long y = scale(0, lo, hi, 110, 10);
        fu__buf_printf(b, "<line class=\"zero\" x1=\"56\" y1=\"%ld\" x2=\"312\" y2=\"%ld\" stroke=\"#d9e2ec\">"
                          "<title>0</title></line>", y, y);
    }
    if (!isnan(last->target)) {
        long y = scale(last->target, lo, hi, 110, 10);
        fu__buf_printf(b, "<line x1=\"56\" y1=\"%ld\" x2=\"312\" y2=\"%ld\" stroke=\"#1f2933\" "
                          "stroke-dasharray=\"4 3\"><title>target</title></line>", y, y);
    }
    fu__buf_puts(b, "<polyline fill=\"none\" stroke=\"#486581\" stroke-width=\"1.5\" points=\"");
    k = 0;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kpi != id || strcmp(f[i].group, group) != 0 || k++ < skip) continue;
        long x = m > 1 ? 64 + (long)(j * 240 / (m - 1)) : 184;
        j++;
        if (!isnan(f[i].value)) fu__buf_printf(b, "%ld,%ld ", x, scale(f[i].value, lo, hi, 110, 10));
    }
    fu__buf_puts(b, "\"/>");
    k = j = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kpi != id || strcmp(f[i].group, group) != 0 || k++ < skip) continue;
        long x = m > 1 ? 64 + (long)(j * 240 / (m - 1)) : 184;
        j++;
        if (!isnan(f[i].ci_low) && !isnan(f[i].ci_high))
            fu__buf_printf(b, "<line x1=\"%ld\" y1=\"%ld\" x2=\"%ld\" y2=\"%ld\" stroke=\"#9fb3c8\" stroke-width=\"3\"/>",
                           x, scale(f[i].ci_low, lo, hi, 110, 10), x, scale(f[i].ci_high, lo, hi, 110, 10));
        if (isnan(f[i].value)) continue;
        const char *d = decision(&f[i], min_n);
        char v[48];
        fmt_value(v, sizeof v, id, f[i].value);
        fu__buf_printf(b, "<circle class=\"%s\" data-status=\"%s\" cx=\"%ld\" cy=\"%ld\" r=\"4\" fill=\"var(--c)\">"
                          "<title>", d, d, x, scale(f[i].value, lo, hi, 110, 10));
        esc(b, f[i].period);
        fu__buf_printf(b, ": %s, n = %.0f, %s</title></circle>", v, f[i].n, decision_label(d));
    }
    fu__buf_puts(b, "<text x=\"64\" y=\"124\">");
    esc(b, first->period);
    fu__buf_puts(b, "</text><text x=\"312\" y=\"124\" text-anchor=\"end\">");
    esc(b, last->period);
    fu__buf_puts(b, "</text></svg></div>\n");
}

/* A breakdown row: its group label and index. */
typedef struct row_ref {
    const char *label;
    size_t g;
} row_ref;

static int row_cmp(const void *a, const void *b) {
    return strcmp(((const row_ref *)a)->label, ((const row_ref *)b)->label);
}

/* One row of the breakdown table. */
static void breakdown_row(fu__buf *b, const char *label, const fu_kpi_figure *const *row, const int *col,
                          double min_n) {
    fu__buf_puts(b, "<tr data-group=\"");
    esc(b, label);
    fu__buf_puts(b, "\"><td class=\"g\">");
    esc(b, label);
    fu__buf_puts(b, "</td>");
    for (int id = 0; id < FU_KPI_COUNT; id++) {
        if (!col[id]) continue;
        if (!row[id]) {
            fu__buf_puts(b, "<td></td>");
            continue;
        }
        const char *d = decision(row[id], min_n);
        char v[48];
        fmt_value(v, sizeof v, (fu_kpi_id)id, row[id]->value);
        fu__buf_printf(b, "<td class=\"%s\" data-kpi=\"%s\" data-status=\"%s\" title=\"%s\">%s<br>n=%.0f</td>",
                       d, row[id]->name, d, decision_label(d), v, row[id]->n);
    }
    fu__buf_puts(b, "</tr>\n");
}

/* The breakdown table: the latest period of `bk`, one row per group, sorted by label. */
static int breakdown_table(fu__buf *b, const fu_kpi *bk, double min_n) {
    size_t n = 0, latest = 0, groups = 0;
    const fu_kpi_figure *f = fu_kpi_figures(bk, &n);
    if (!n) {
        fu__buf_puts(b, "<p class=\"meta\">No figures to break down.</p>\n");
        return FU_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (f[i].period_index > latest) latest = f[i].period_index;
        if (f[i].group_index + 1 > groups) groups = f[i].group_index + 1;
    }
    if (groups > SIZE_MAX / FU_KPI_COUNT / sizeof(const fu_kpi_figure *))
        return fu__error_set(FU_ELIMIT, "fu_kpi_write_html_to_string: too many groups (%lu)", (unsigned long)groups);
    const fu_kpi_figure **cell = fu__malloc(groups * FU_KPI_COUNT * sizeof *cell);
    if (!cell) return fu__error_nomem();
    memset(cell, 0, groups * FU_KPI_COUNT * sizeof *cell);
    int col[FU_KPI_COUNT] = {0};
    const char *period = NULL;
    for (size_t i = 0; i < n; i++) {
        if (f[i].period_index != latest) continue;
        cell[f[i].group_index * FU_KPI_COUNT + (size_t)f[i].kpi] = &f[i];
        col[f[i].kpi] = 1;
        period = f[i].period;
    }
    fu__buf_puts(b, "<p class=\"meta\">Period ");
    esc(b, period);
    fu__buf_puts(b, "; each cell: value, n.</p>\n<div class=\"wide\"><table><thead><tr><th>group</th>");
    for (int id = 0; id < FU_KPI_COUNT; id++)
        if (col[id]) fu__buf_printf(b, "<th>%s</th>", fu_kpi_name(id));
    fu__buf_puts(b, "</tr></thead><tbody>\n");
    row_ref *rows = fu__malloc(groups * sizeof *rows);
    if (!rows) {
        fu__free(cell);
        return fu__error_nomem();
    }
    size_t nrows = 0;
    for (size_t g = 0; g < groups; g++) {
        const fu_kpi_figure *const *row = &cell[g * FU_KPI_COUNT];
        for (int id = 0; id < FU_KPI_COUNT; id++) {
            if (row[id]) {
                rows[nrows].label = row[id]->group;
                rows[nrows++].g = g;
                break;
            }
        }
    }
    qsort(rows, nrows, sizeof *rows, row_cmp);
    for (size_t r = 0; r < nrows; r++) breakdown_row(b, rows[r].label, &cell[rows[r].g * FU_KPI_COUNT], col, min_n);
    fu__free(rows);
    fu__buf_puts(b, "</tbody></table></div>\n");
    fu__free(cell);
    return FU_OK;
}

/* ------------------------------------------------------------ the page */

FU_DEFINE_INIT(fu_kpi_html_options_init, fu_kpi_html_options, FU_KPI_HTML_OPTIONS_INIT)

static void page_head(fu__buf *b, const char *title, const fu_kpi_figure *f, size_t n, const char *group,
                      double min_n) {
    fu__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    esc(b, title);
    fu__buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", css);
    esc(b, title);
    fu__buf_puts(b, "</h1>\n<p class=\"meta\">");
    if (n) {
        fu__buf_puts(b, "Latest period ");
        esc(b, f[n - 1].period);
        fu__buf_puts(b, " (group ");
        esc(b, group);
        fu__buf_printf(b, "), %lu figures. ", (unsigned long)n);
    } else {
        fu__buf_puts(b, "No figures: no data in the range. ");
    }
    fu__buf_printf(b, "<b>too few data</b>: fewer than %g units, no interval, or an interval that contains "
                      "the target (the data cannot tell whether it is met).</p>\n", min_n);
    fu__buf_puts(b, "<ul class=\"legend\"><li class=\"green\">green: meets the target</li>"
                    "<li class=\"yellow\">yellow: misses it</li><li class=\"red\">red: at or beyond the red "
                    "threshold</li><li class=\"few\">too few data</li><li class=\"none\">no target</li></ul>\n"
                    "</header>\n");
}

int fu_kpi_write_html_to_string(const fu_kpi *kpi, const fu_kpi *breakdown, const fu_kpi_html_options *opts,
                                size_t *len, char **out) {
    static const char fn[] = "fu_kpi_write_html_to_string";
    if (!kpi || !out) return fu__error_set(FU_EINVAL, "%s: %s is NULL", fn, !kpi ? "kpi" : "out");
    *out = NULL;
    if (len) *len = 0;
    fu_kpi_html_options o = FU_KPI_HTML_OPTIONS_INIT;
    if (opts) {
        if (opts->version != FU_KPI_HTML_OPTIONS_VERSION)
            return fu__error_set(FU_EINVAL, "%s: unknown options version %u", fn, opts->version);
        if (!(opts->min_n >= 0)) return fu__error_set(FU_EINVAL, "%s: min_n must be >= 0", fn);
        o = *opts;
    }
    if (!fu__kpi_has_result(kpi) || (breakdown && !fu__kpi_has_result(breakdown)))
        return fu__error_set(FU_ESTATE, "%s: nothing computed yet (call fu_kpi_compute)", fn);
    if (!o.title) o.title = "Follow-up KPIs";
    if (!o.trend_periods) o.trend_periods = 12;
    size_t n = 0;
    const fu_kpi_figure *f = fu_kpi_figures(kpi, &n);
    const char *group = n ? f[0].group : "all";
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].group, "all") == 0) group = "all";

    fu__buf b = FU__BUF_INIT;
    page_head(&b, o.title, f, n, group, o.min_n);
    fu__buf_puts(&b, "<section id=\"tiles\">\n<h2>Latest figure of each KPI</h2>\n<div class=\"tiles\">\n");
    for (int id = 0; id < FU_KPI_COUNT; id++) {
        const fu_kpi_figure *t = latest_of(f, n, (fu_kpi_id)id, group);
        if (t) tile(&b, t, o.min_n);
    }
    fu__buf_printf(&b, "</div>\n</section>\n<section id=\"trends\">\n<h2>Trends (last %lu periods)</h2>\n"
                       "<div class=\"trends\">\n", (unsigned long)o.trend_periods);
    for (int id = 0; id < FU_KPI_COUNT; id++) trend(&b, f, n, (fu_kpi_id)id, group, o.trend_periods, o.min_n);
    fu__buf_puts(&b, "</div>\n</section>\n<section id=\"breakdown\">\n<h2>Breakdown</h2>\n");
    int rc = FU_OK;
    if (breakdown) rc = breakdown_table(&b, breakdown, o.min_n);
    else fu__buf_puts(&b, "<p class=\"meta\">No breakdown (compute a second engine grouped by tier or agent).</p>\n");
    fu__buf_printf(&b, "</section>\n<footer class=\"meta\"><p>libfollowup %s</p></footer>\n</body>\n</html>\n",
                   fu_version());
    if (rc || b.failed) {
        fu__buf_free(&b);
        return rc ? rc : fu__error_nomem();
    }
    size_t l = b.len;
    *out = fu__buf_detach(&b);
    if (len) *len = l;
    return FU_OK;
}
