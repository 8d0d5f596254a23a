/* fu_kpi: the CSV, JSON and text-dashboard writers of the figures. */
#include "kpi_internal.h"

/* ===================================================================== */
/* 5. output                                                              */

static void put_num(fu__buf *b, double v) {
    if (isnan(v)) return;
    fu__buf_printf(b, "%.6g", v);
}

/* A text cell through the library's one CSV cell writer (csv_internal.h). */
static void put_csv_text(fu__buf *b, const fu_kpi *k, const char *s) {
    fu__csv_putf(b, 1, s, (k->o.flags & FU_KPI_CSV_RAW) ? FU__CSV_RAW : 0u);
}

static int finish(fu__buf *b, size_t *len, char **out) {
    if (b->failed) {
        fu__buf_free(b);
        return fu__error_nomem();
    }
    if (!b->data && fu__buf_append(b, "", 0)) return fu__error_nomem();
    if (!b->data) {
        /* an empty buffer: hand out an empty string */
        char *e = fu__malloc(1);
        if (!e) return fu__error_nomem();
        e[0] = '\0';
        if (len) *len = 0;
        *out = e;
        return FU_OK;
    }
    if (len) *len = b->len;
    *out = fu__buf_detach(b);
    return FU_OK;
}

static int out_check(const fu_kpi *k, size_t *len, char **out, const char *fn) {
    if (!k || !out) return fu__error_set(FU_EINVAL, "%s: %s is NULL", fn, !k ? "kpi" : "out");
    *out = NULL;
    if (len) *len = 0;
    if (!k->has_result) return fu__error_set(FU_ESTATE, "%s: nothing computed yet (call fu_kpi_compute)", fn);
    return FU_OK;
}

int fu_kpi_write_csv_to_string(const fu_kpi *k, size_t *len, char **out) {
    int rc = out_check(k, len, out, "fu_kpi_write_csv_to_string");
    if (rc) return rc;
    fu__buf b = FU__BUF_INIT;
    fu__buf_puts(&b, "kpi,group,period,value,ci_low,ci_high,n,target,status,rule\n");
    for (size_t i = 0; i < k->n_fig && !b.failed; i++) {
        const fu_kpi_figure *f = &k->fig[i];
        put_csv_text(&b, k, f->name);
        fu__buf_puts(&b, ",");
        put_csv_text(&b, k, f->group);
        fu__buf_puts(&b, ",");
        put_csv_text(&b, k, f->period);
        fu__buf_puts(&b, ",");
        put_num(&b, f->value);
        fu__buf_puts(&b, ",");
        put_num(&b, f->ci_low);
        fu__buf_puts(&b, ",");
        put_num(&b, f->ci_high);
        fu__buf_printf(&b, ",%.0f,", f->n);
        put_num(&b, f->target);
        /* no status (no target or no value): an empty cell, like the target */
        fu__buf_printf(&b, ",%s,", f->status == FU_KPI_STATUS_NONE ? "" : fu_kpi_status_name(f->status));
        put_csv_text(&b, k, f->rule);
        fu__buf_puts(&b, "\n");
    }
    return finish(&b, len, out);
}

static void put_json_str(fu__buf *b, const char *s) {
    fu__buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fu__buf_printf(b, "\\%c", *p);
        else if (*p < 0x20) fu__buf_printf(b, "\\u%04x", *p);
        else fu__buf_append(b, (const char *)p, 1);
    }
    fu__buf_puts(b, "\"");
}

static void put_json_num(fu__buf *b, double v) {
    if (isnan(v) || isinf(v)) fu__buf_puts(b, "null");
    else fu__buf_printf(b, "%.10g", v);
}

static void put_time(fu__buf *b, const fu_kpi *k, int64_t t) {
    char tb[FU_TIME_TEXT_SIZE];
    int off = 0;
    fu_calendar_utc_offset(k->cal, t, &off);
    if (fu_time_format(t, off, 0, tb, sizeof tb) == FU_OK) fu__buf_puts(b, tb);
    else fu__buf_printf(b, "%lld", (long long)t);
}

static void put_by(fu__buf *b, unsigned by) {
    if (!by) {
        fu__buf_puts(b, "none");
        return;
    }
    const char *sep = "";
    for (int i = 0; i < 5; i++)
        if (by & (1u << i)) {
            fu__buf_printf(b, "%s%s", sep, fu__kpi_by_names[i]);
            sep = ",";
        }
}

int fu_kpi_write_json_to_string(const fu_kpi *k, size_t *len, char **out) {
    int rc = out_check(k, len, out, "fu_kpi_write_json_to_string");
    if (rc) return rc;
    fu__buf b = FU__BUF_INIT;
    fu__buf_puts(&b, "{\"policy\": ");
    put_json_str(&b, fu_policy_name(k->policy));
    fu__buf_printf(&b, ", \"period\": \"%s\", \"by\": \"", fu__kpi_period_names[k->o.period]);
    put_by(&b, k->o.by);
    fu__buf_puts(&b, "\", \"as_of\": ");
    if (k->as_of == INT64_MIN) fu__buf_puts(&b, "null");
    else {
        fu__buf_puts(&b, "\"");
        put_time(&b, k, k->as_of);
        fu__buf_puts(&b, "\"");
    }
    fu__buf_puts(&b, ", \"figures\": [");
    for (size_t i = 0; i < k->n_fig && !b.failed; i++) {
        const fu_kpi_figure *f = &k->fig[i];
        fu__buf_puts(&b, i ? ",\n  {" : "\n  {");
        fu__buf_printf(&b, "\"kpi\": \"%s\", \"group\": ", f->name);
        put_json_str(&b, f->group);
        fu__buf_printf(&b, ", \"period\": \"%s\", \"period_start\": \"", f->period);
        put_time(&b, k, f->period_start);
        fu__buf_puts(&b, "\", \"period_end\": \"");
        put_time(&b, k, f->period_end);
        fu__buf_puts(&b, "\", \"value\": ");
        put_json_num(&b, f->value);
        fu__buf_puts(&b, ", \"ci_low\": ");
        put_json_num(&b, f->ci_low);
        fu__buf_puts(&b, ", \"ci_high\": ");
        put_json_num(&b, f->ci_high);
        fu__buf_puts(&b, ", \"n\": ");
        put_json_num(&b, f->n);
        fu__buf_puts(&b, ", \"successes\": ");
        put_json_num(&b, f->successes);
        fu__buf_puts(&b, ", \"target\": ");
        put_json_num(&b, f->target);
        fu__buf_printf(&b, ", \"status\": \"%s\", \"rule\": ", fu_kpi_status_name(f->status));
        if (f->rule && f->rule[0]) put_json_str(&b, f->rule);
        else fu__buf_puts(&b, "null"); /* no target: absent, as the CLI's typed JSON writes it (docs/cli.md) */
        fu__buf_puts(&b, "}");
    }
    fu__buf_puts(&b, k->n_fig ? "\n]}\n" : "]}\n");
    return finish(&b, len, out);
}

/* A value as the dashboard shows it. */
static void fmt_value(char *buf, size_t size, fu_kpi_id id, double v) {
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    switch (fu__kpi_vtype[id]) {
    case VT_PROP:
    case VT_BUDGET: snprintf(buf, size, "%.1f%%", 100 * v); break;
    case VT_UPLIFT:
        if (id == FU_KPI_REPURCHASE_UPLIFT) snprintf(buf, size, "%+.1fpp", 100 * v);
        else if (id == FU_KPI_VALUE_UPLIFT) snprintf(buf, size, "%+.1f%%", 100 * v);
        else snprintf(buf, size, "%.2f", v);
        break;
    case VT_QUANT: snprintf(buf, size, "%.1fh", v); break;
    case VT_NPS: snprintf(buf, size, "%.1f", v); break;
    default: snprintf(buf, size, "%.2f", v); break;
    }
}

int fu_kpi_write_dashboard_to_string(const fu_kpi *k, size_t *len, char **out) {
    int rc = out_check(k, len, out, "fu_kpi_write_dashboard_to_string");
    if (rc) return rc;
    static const char *const mark[] = {"[ ]", "[G]", "[Y]", "[R]"};
    fu__buf b = FU__BUF_INIT;
    fu__buf_printf(&b, "KPI dashboard: policy %s, %s periods (%s), by ", fu_policy_name(k->policy),
                   fu__kpi_period_names[k->o.period], fu_calendar_tzid(k->cal));
    put_by(&b, k->o.by);
    if (k->as_of != INT64_MIN) {
        fu__buf_puts(&b, ", as of ");
        put_time(&b, k, k->as_of);
    }
    fu__buf_printf(&b, "\nintervals: %.0f%% (Wilson for rates, t for means)\n", 100 * k->pol->kpis.confidence);
    if (!k->n_fig) fu__buf_puts(&b, "\n(no figures: no data in the range)\n");
    size_t gw = 5;
    for (size_t i = 0; i < k->n_fig; i++)
        if (strlen(k->fig[i].group) > gw) gw = strlen(k->fig[i].group);
    if (gw > 40) gw = 40;
    for (size_t i = 0; i < k->n_fig && !b.failed; i++) {
        const fu_kpi_figure *f = &k->fig[i];
        if (i == 0 || f->period_index != k->fig[i - 1].period_index) {
            fu__buf_printf(&b, "\n== %s (", f->period);
            put_time(&b, k, f->period_start);
            fu__buf_puts(&b, " .. ");
            put_time(&b, k, f->period_end);
            fu__buf_printf(&b, ") ==\n  %-26s %-*s %9s  %-21s %8s %9s  %s\n", "kpi", (int)gw, "group", "value",
                           "95% interval", "n", "target", "status");
        }
        char v[32], lo[32], hi[32], tg[32], ci[80];
        fmt_value(v, sizeof v, f->kpi, f->value);
        fmt_value(lo, sizeof lo, f->kpi, f->ci_low);
        fmt_value(hi, sizeof hi, f->kpi, f->ci_high);
        fmt_value(tg, sizeof tg, f->kpi, f->target);
        if (isnan(f->ci_low)) snprintf(ci, sizeof ci, "-");
        else snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        fu__buf_printf(&b, "  %-26s %-*s %9s  %-21s %8.0f %9s  %s %s%s%s\n", f->name, (int)gw, f->group, v, ci, f->n,
                       isnan(f->target) ? "" : tg, mark[f->status], fu_kpi_status_name(f->status),
                       *f->rule ? "  " : "", f->rule);
    }
    if (k->n_sc) {
        const fu__pol_scorecard *w = &k->pol->scorecard;
        fu__buf_printf(&b,
                       "\n== agent scorecards (weights: satisfaction %.0f%%, resolution %.0f%%, feedback "
                       "conversion %.0f%%, efficiency %.0f%%) ==\n",
                       100 * w->satisfaction, 100 * w->resolution, 100 * w->feedback_conversion, 100 * w->efficiency);
        fu__buf_printf(&b, "  %-10s %-*s %12s %10s %9s %10s %6s  %s\n", "period", (int)gw, "group", "satisfaction",
                       "resolution", "feedback", "efficiency", "score", "95% interval");
        for (size_t i = 0; i < k->n_sc && !b.failed; i++) {
            const fu_kpi_scorecard *s = &k->sc[i];
            char c1[16], c2[16], c3[16], c4[16];
            snprintf(c1, sizeof c1, isnan(s->satisfaction) ? "-" : "%.2f", s->satisfaction);
            snprintf(c2, sizeof c2, isnan(s->resolution) ? "-" : "%.2f", s->resolution);
            snprintf(c3, sizeof c3, isnan(s->feedback_conversion) ? "-" : "%.2f", s->feedback_conversion);
            snprintf(c4, sizeof c4, isnan(s->efficiency) ? "-" : "%.2f", s->efficiency);
            fu__buf_printf(&b, "  %-10s %-*s %12s %10s %9s %10s %6.2f  [%.2f, %.2f]\n", s->period, (int)gw, s->group, c1,
                           c2, c3, c4, s->score, s->ci_low, s->ci_high);
        }
    }
    int costs = 0;
    for (int ch = 0; ch < FU_CHANNEL_COUNT; ch++) costs |= k->o.contact_cost[ch] > 0;
    if (!costs || k->o.budget <= 0 || k->o.by)
        fu__buf_printf(&b, "\nbudget_overrun: no data (%s)\n",
                       k->o.by ? "computed without grouping only"
                               : "needs contact costs and a budget per period: --cost CH=AMOUNT --budget AMOUNT");
    if (!costs) fu__buf_puts(&b, "roi, roi_incremental: no data (needs contact costs: --cost CH=AMOUNT)\n");
    return finish(&b, len, out);
}
