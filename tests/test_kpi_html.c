/* The HTML dashboard (lib/kpi_html.c): "too few data" against hand-made
 * figures, the page's structure on the KPI fixture book (tests/data/kpi),
 * escaping of data, argument errors and the out-of-memory harness.
 *
 * The fixture book under the built-in policy (see test_kpi.c): week
 * 2026-W10 holds the figures; coverage has a target of 90% (red 65%), csat
 * 4.5, nps 50. */
#include "fu_test.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA FU_TEST_SRCDIR "/data/kpi/"

static fu_kpi_figure fig(double value, double lo, double hi, double n, double target, fu_kpi_status st) {
    fu_kpi_figure f;
    memset(&f, 0, sizeof f);
    f.kpi = FU_KPI_COVERAGE;
    f.name = "coverage";
    f.group = "all";
    f.period = "2026-W10";
    f.value = value;
    f.ci_low = lo;
    f.ci_high = hi;
    f.n = n;
    f.target = target;
    f.status = st;
    f.rule = "kpis.coverage";
    return f;
}

Test(kpi_html, too_few_data_when_n_is_small_or_the_interval_holds_the_target) {
    /* n = 1: one contacted customer of one due gives 100% but decides nothing */
    fu_kpi_figure one = fig(1.0, NAN, NAN, 1, 0.9, FU_KPI_STATUS_GREEN);
    cr_assert_eq(fu_kpi_figure_too_few(&one, 5), 1);
    cr_assert_eq(fu_kpi_figure_too_few(&one, 0), 1, "no interval: too few even without a floor");
    /* 4 of 4 reached: Wilson 95% [0.510, 1] holds 0.9 -> cannot tell */
    fu_kpi_figure four = fig(1.0, 0.510, 1.0, 4, 0.9, FU_KPI_STATUS_GREEN);
    cr_assert_eq(fu_kpi_figure_too_few(&four, 0), 1);
    /* 0 of 31: [0, 0.110] lies below 0.9 -> red stands */
    fu_kpi_figure red = fig(0.0, 0.0, 0.110, 31, 0.9, FU_KPI_STATUS_RED);
    cr_assert_eq(fu_kpi_figure_too_few(&red, 5), 0);
    /* ... unless the floor asks for more units */
    cr_assert_eq(fu_kpi_figure_too_few(&red, 40), 1);
    /* 190 of 200: [0.910, 0.973] above 0.9 -> green stands */
    fu_kpi_figure green = fig(0.95, 0.910, 0.973, 200, 0.9, FU_KPI_STATUS_GREEN);
    cr_assert_eq(fu_kpi_figure_too_few(&green, 5), 0);
    /* the interval touching the target still holds it */
    fu_kpi_figure edge = fig(0.95, 0.9, 0.97, 200, 0.9, FU_KPI_STATUS_GREEN);
    cr_assert_eq(fu_kpi_figure_too_few(&edge, 5), 1);
    /* no target: nothing to decide, only the floor counts */
    fu_kpi_figure none = fig(0.5, 0.4, 0.6, 100, NAN, FU_KPI_STATUS_NONE);
    cr_assert_eq(fu_kpi_figure_too_few(&none, 5), 0);
    cr_assert_eq(fu_kpi_figure_too_few(&none, 101), 1);
    cr_assert_eq(fu_kpi_figure_too_few(NULL, 5), 0);
}

static fu_policy *policy(void) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_default(&p), FU_OK);
    return p;
}

static fu_book *fixture_book(void) {
    fu_book *b = NULL;
    cr_assert_eq(fu_book_new(&b, NULL), FU_OK);
    cr_assert_eq(fu_book_read_customers_csv(b, DATA "customers.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_read_events_csv(b, DATA "events.csv"), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_book_finalize(b), FU_OK);
    return b;
}

static fu_kpi *engine(const fu_policy *p, const fu_book *b, unsigned by) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = by;
    fu_kpi *k = NULL;
    size_t n = 0;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK);
    cr_assert_eq(fu_kpi_add_book(k, b), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    cr_assert_gt(n, 0);
    return k;
}

static size_t count(const char *hay, const char *needle) {
    size_t c = 0;
    for (const char *s = strstr(hay, needle); s; s = strstr(s + 1, needle)) c++;
    return c;
}

Test(kpi_html, one_tile_and_one_trend_per_kpi_and_a_breakdown_row_per_group) {
    fu_policy *p = policy();
    fu_book *b = fixture_book();
    fu_kpi *all = engine(p, b, 0), *tier = engine(p, b, FU_KPI_BY_TIER | FU_KPI_BY_AGENT);
    char *html = NULL;
    size_t len = 0;
    cr_assert_eq(fu_kpi_write_html_to_string(all, tier, NULL, &len, &html), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(len, strlen(html));
    cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    cr_assert(strstr(html, "</html>\n") == html + len - 8);
    /* one tile per KPI with a figure in group "all", each a trend */
    size_t nf = 0, kpis = 0;
    const fu_kpi_figure *f = fu_kpi_figures(all, &nf);
    int tiled[FU_KPI_COUNT] = {0};
    for (const char *s = strstr(html, "<div class=\"tile "); s; s = strstr(s + 1, "<div class=\"tile ")) {
        const char *q = strstr(s, "data-kpi=\"");
        cr_assert_not_null(q);
        q += 10;
        fu_kpi_id id;
        cr_assert_eq(fu_kpi_from_string(q, (size_t)(strchr(q, '"') - q), &id), FU_OK);
        cr_assert_eq(tiled[id]++, 0, "two tiles for %s", fu_kpi_name(id));
    }
    for (int id = 0; id < FU_KPI_COUNT; id++) {
        int seen = 0;
        for (size_t i = 0; i < nf; i++) seen |= f[i].kpi == (fu_kpi_id)id;
        cr_assert_eq(tiled[id], seen, "tile of %s", fu_kpi_name(id));
        kpis += (size_t)seen;
        char trend[96];
        snprintf(trend, sizeof trend, "<div class=\"trend\" data-kpi=\"%s\">", fu_kpi_name(id));
        cr_assert_eq(count(html, trend), (size_t)seen, "trend of %s", fu_kpi_name(id));
    }
    cr_assert_gt(kpis, 5);
    /* the coverage tile: its status is the figure's or "too few data" */
    const fu_kpi_figure *cov = fu_kpi_find(all, FU_KPI_COVERAGE, NULL, NULL);
    cr_assert_not_null(cov);
    char want[160];
    snprintf(want, sizeof want, "<div class=\"tile %s\" data-kpi=\"coverage\" data-status=\"%s\"",
             fu_kpi_figure_too_few(cov, 5) ? "few" : fu_kpi_status_name((int)cov->status),
             fu_kpi_figure_too_few(cov, 5) ? "few" : fu_kpi_status_name((int)cov->status));
    cr_assert(strstr(html, want), "%s", want);
    /* breakdown: one row per group of the latest period */
    size_t nt = 0, latest = 0, rows = 0;
    const fu_kpi_figure *t = fu_kpi_figures(tier, &nt);
    for (size_t i = 0; i < nt; i++)
        if (t[i].period_index > latest) latest = t[i].period_index;
    for (size_t i = 0; i < nt; i++) {
        if (t[i].period_index != latest) continue;
        int first = 1;
        for (size_t j = 0; j < i; j++) first &= !(t[j].period_index == latest && t[j].group_index == t[i].group_index);
        if (!first) continue;
        rows++;
        char tr[160];
        snprintf(tr, sizeof tr, "<tr data-group=\"%s\">", t[i].group);
        cr_assert_eq(count(html, tr), 1, "%s", tr);
    }
    cr_assert_eq(count(html, "<tr data-group="), rows);
    /* ... sorted by group label */
    const char *prev = NULL;
    for (const char *s = strstr(html, "<tr data-group=\""); s; s = strstr(s + 1, "<tr data-group=\"")) {
        s += 16;
        if (prev) cr_assert_lt(strncmp(prev, s, (size_t)(strchr(s, '"') - s) + 1), 0, "rows out of order");
        prev = s;
    }
    /* self-contained: no script, no external reference */
    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "http:"));
    cr_assert_null(strstr(html, "https:"));
    cr_assert_null(strstr(html, "src="));
    fu_free(html);
    fu_kpi_free(all);
    fu_kpi_free(tier);
    fu_book_free(b);
    fu_policy_free(p);
}

/* A KPI engine of the default options broken down by `by` (FU_KPI_BY_* bits). */
static fu_kpi *engine_by(const fu_policy *p, unsigned by) {
    fu_kpi_options o = FU_KPI_OPTIONS_INIT;
    o.by = by;
    fu_kpi *k = NULL;
    cr_assert_eq(fu_kpi_new(&k, p, &o), FU_OK, "%s", fu_error_last()->message);
    return k;
}

Test(kpi_html, data_and_title_are_escaped) {
    fu_policy *p = policy();
    fu_kpi *k = engine_by(p, FU_KPI_BY_AGENT);
    /* an answered call and its CSAT answer, by an agent whose id is markup */
    const char *agent = "<script>alert(\"x\")</script>&'";
    int64_t at = fu_test_time("2026-03-03T10:00:00+08:00");
    fu_event_in e[2];
    for (int i = 0; i < 2; i++) {
        fu_event_in_init(&e[i]);
        e[i].customer_id = "C1", e[i].at = at, e[i].agent_id = agent;
        e[i].channel = FU_CHANNEL_PHONE, e[i].outcome = FU_OUTCOME_ANSWERED;
        e[i].kind = i ? FU_EVENT_SURVEY : FU_EVENT_CONTACT;
    }
    e[1].survey = FU_SURVEY_CSAT, e[1].score = 5;
    size_t n = 0;
    cr_assert_eq(fu_kpi_add_events(k, e, 2), FU_OK, "%s", fu_error_last()->message);
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    fu_kpi_html_options ho = FU_KPI_HTML_OPTIONS_INIT;
    ho.title = "KPIs <b>&</b> 周报";
    char *html = NULL;
    cr_assert_eq(fu_kpi_write_html_to_string(k, k, &ho, NULL, &html), FU_OK, "%s", fu_error_last()->message);
    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "<b>&</b>"));
    cr_assert(strstr(html, "<title>KPIs &lt;b&gt;&amp;&lt;/b&gt; 周报</title>"));
    cr_assert(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
    /* one CSAT answer: too few data, never green */
    cr_assert(strstr(html, "data-kpi=\"csat\" data-status=\"few\""));
    cr_assert_null(strstr(html, "data-kpi=\"csat\" data-status=\"green\""));
    fu_free(html);
    fu_kpi_free(k);
    fu_policy_free(p);
}

Test(kpi_html, bad_arguments_and_state) {
    char *html = (char *)"untouched";
    fu_kpi *k = NULL;
    fu_policy *p = policy();
    cr_assert_eq(fu_kpi_new(&k, p, NULL), FU_OK); /* NULL options: the defaults */
    cr_assert_eq(fu_kpi_write_html_to_string(k, NULL, NULL, NULL, &html), FU_ESTATE);
    cr_assert_null(html);
    cr_assert(strstr(fu_error_last()->message, "fu_kpi_compute"));
    cr_assert_eq(fu_kpi_write_html_to_string(NULL, NULL, NULL, NULL, &html), FU_EINVAL);
    cr_assert_eq(fu_kpi_write_html_to_string(k, NULL, NULL, NULL, NULL), FU_EINVAL);
    size_t n = 0;
    cr_assert_eq(fu_kpi_compute(k, &n), FU_OK);
    fu_kpi_html_options o = FU_KPI_HTML_OPTIONS_INIT;
    o.version = 99;
    cr_assert_eq(fu_kpi_write_html_to_string(k, NULL, &o, NULL, &html), FU_EINVAL);
    o.version = FU_KPI_HTML_OPTIONS_VERSION;
    o.min_n = NAN;
    cr_assert_eq(fu_kpi_write_html_to_string(k, NULL, &o, NULL, &html), FU_EINVAL);
    /* an engine with no data gives a page that says so */
    o.min_n = 5;
    size_t len = 0;
    cr_assert_eq(fu_kpi_write_html_to_string(k, NULL, &o, &len, &html), FU_OK);
    cr_assert(strstr(html, "No figures: no data in the range."));
    cr_assert_null(strstr(html, "<div class=\"tile "));
    fu_free(html);
    fu_kpi_free(k);
    fu_policy_free(p);
}

struct oom_ctx {
    const fu_kpi *all, *tier;
};

static int oom_op(void *arg) {
    struct oom_ctx *c = arg;
    char *html = NULL;
    int rc = fu_kpi_write_html_to_string(c->all, c->tier, NULL, NULL, &html);
    fu_free(html);
    return rc;
}

Test(kpi_html, out_of_memory_returns_enomem_and_leaks_nothing) {
    fu_policy *p = policy();
    fu_book *b = fixture_book();
    fu_kpi *all = engine(p, b, 0), *tier = engine(p, b, FU_KPI_BY_TIER | FU_KPI_BY_AGENT);
    struct oom_ctx c = {all, tier};
    cr_assert_gt(fu_test_oom("kpi html", oom_op, &c, 400), 0);
    fu_kpi_free(all);
    fu_kpi_free(tier);
    fu_book_free(b);
    fu_policy_free(p);
}
