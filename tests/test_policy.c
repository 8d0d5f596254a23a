/* fu_policy: the built-in policy's numbers, the CN calendar, durations,
 * site overrides, validation errors with positions, limits, OOM, threads. */
#include "fu_test.h"
#include "policy_internal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fu_policy *load_default(void) {
    fu_policy *p = NULL;
    int rc = fu_policy_default(&p);
    cr_assert_eq(rc, FU_OK, "builtin policy: %s", fu_error_last()->message);
    cr_assert_not_null(p);
    return p;
}

static fu_policy *load_site(const char *yaml) {
    fu_policy *p = NULL;
    int rc = fu_policy_load_string(&p, yaml, strlen(yaml), "site.yaml", NULL);
    char buf[512];
    fu_error_format(buf, sizeof buf);
    cr_assert_eq(rc, FU_OK, "site policy: %s", buf);
    return p;
}

static double num(const fu_policy *p, const char *path) {
    double v = NAN;
    int rc = fu_policy_get_number(p, path, &v);
    cr_assert_eq(rc, FU_OK, "%s: %s", path, fu_error_last()->message);
    return v;
}

static int64_t secs(const fu_duration *d) {
    cr_assert_eq(d->unit, FU_DURATION_SECONDS);
    return d->value;
}

static const fu__pol_step *step(const fu__policy *t, const char *cadence, const char *name) {
    const fu__pol_cadence *c = fu__policy_cadence(t, cadence);
    cr_assert_not_null(c, "no cadence %s", cadence);
    for (size_t i = 0; i < c->n_steps; i++)
        if (strcmp(c->steps[i].name, name) == 0) return &c->steps[i];
    cr_assert_fail("no step %s.%s", cadence, name);
    return NULL;
}

static const fu__pol_sla *sla(const fu__pol_sla *v, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0) return &v[i];
    cr_assert_fail("no sla %s", name);
    return NULL;
}

static const fu__pol_cap *cap(const fu__policy *t, const char *name) {
    for (size_t i = 0; i < t->n_caps; i++)
        if (strcmp(t->caps[i].name, name) == 0) return &t->caps[i];
    cr_assert_fail("no cap %s", name);
    return NULL;
}

/* ------------------------------------------------------------ built-in policy */

Test(policy, builtin_has_the_domain_numbers) {
    fu_policy *p = load_default();
    const fu__policy *t = fu__policy_typed(p);
    cr_assert_str_eq(fu_policy_name(p), "builtin");
    cr_assert_str_eq(fu_policy_source(p), "<builtin>");

    /* value tiers: VIP > 500k, key 100k-500k, ordinary < 100k */
    int vip = fu__policy_tier_index(t, "vip"), key = fu__policy_tier_index(t, "key"),
        ord = fu__policy_tier_index(t, "ordinary");
    cr_assert(vip >= 0 && key >= 0 && ord >= 0);
    cr_assert_eq(fu__policy_tier_of(t, 500001), vip);
    cr_assert_eq(fu__policy_tier_of(t, 500000), key);
    cr_assert_eq(fu__policy_tier_of(t, 100000), key);
    cr_assert_eq(fu__policy_tier_of(t, 99999.99), ord);
    cr_assert_eq(fu__policy_tier_of(t, 0), ord);
    cr_assert_eq(fu__policy_tier_of(t, -1), -1);
    /* product classes: > 10k, 1k-10k, < 1k */
    cr_assert_eq(fu__policy_class_of(t, 50000), fu__policy_class_index(t, "high_price"));
    cr_assert_eq(fu__policy_class_of(t, 10000), fu__policy_class_index(t, "mid_price"));
    cr_assert_eq(fu__policy_class_of(t, 1000), fu__policy_class_index(t, "mid_price"));
    cr_assert_eq(fu__policy_class_of(t, 999), fu__policy_class_index(t, "low_price"));
    /* tenure >= 3 years: deep care */
    cr_assert_eq(t->segments.mature_after.unit, FU_DURATION_MONTHS);
    cr_assert_eq(t->segments.mature_after.value, 36);

    /* delivery: first contact within 48h, second at 7-15 days */
    const fu__pol_step *s = step(t, "delivery", "first_contact");
    cr_assert_eq(secs(&s->at), 0);
    cr_assert_eq(secs(&s->within), 48 * 3600);
    cr_assert_str_eq(s->rule, "cadences.delivery.first_contact");
    s = step(t, "delivery", "second_contact");
    cr_assert_eq(secs(&s->at), 7 * 86400);
    cr_assert_eq(secs(&s->at) + secs(&s->within), 15 * 86400);
    /* urgent fault: within 2h and within 24h of the repair (windows end
     * there, seed 003 维修完成后2小时内…24小时内), the survey after 72h */
    cr_assert_eq(secs(&step(t, "urgent_fault", "first_check")->at), 0);
    cr_assert_eq(secs(&step(t, "urgent_fault", "first_check")->within), 2 * 3600);
    cr_assert_eq(secs(&step(t, "urgent_fault", "second_check")->at), 2 * 3600);
    cr_assert_eq(secs(&step(t, "urgent_fault", "second_check")->at) + secs(&step(t, "urgent_fault", "second_check")->within),
                 24 * 3600);
    cr_assert_eq(secs(&step(t, "urgent_fault", "survey")->at), 72 * 3600);
    cr_assert_eq(step(t, "urgent_fault", "first_check")->priority, FU__PRIO_URGENT);
    /* service stages from the resolution: 72h, 3-7 days, 3-6 months */
    cr_assert_eq(secs(&step(t, "resolution", "solved_72h")->at), 72 * 3600);
    cr_assert_eq(secs(&step(t, "resolution", "short_term")->at), 3 * 86400);
    cr_assert_eq(secs(&step(t, "resolution", "short_term")->at) + secs(&step(t, "resolution", "short_term")->within),
                 7 * 86400);
    cr_assert_eq(step(t, "resolution", "long_term")->at.value, 3);
    cr_assert_eq(step(t, "resolution", "long_term")->within.value, 3);
    /* installation 7d / 30d; high-price 3d / 1 month / 3 months */
    cr_assert_eq(secs(&step(t, "installation", "usage_guidance")->at), 7 * 86400);
    cr_assert_eq(secs(&step(t, "installation", "experience")->at), 30 * 86400);
    cr_assert_eq(secs(&step(t, "high_price_equipment", "status_check")->within), 3 * 86400);
    cr_assert_eq(step(t, "high_price_equipment", "training_needs")->at.unit, FU_DURATION_MONTHS);
    cr_assert_eq(step(t, "high_price_equipment", "performance_review")->at.value, 3);
    /* consumables: 3 days before the cycle runs out; fast-moving: mid-cycle */
    const fu__pol_cadence *cons = fu__policy_cadence(t, "consumables");
    cr_assert_eq(cons->trigger, FU__TRIGGER_CYCLE);
    cr_assert_float_eq(cons->cycle, 1.0, 1e-12);
    cr_assert_eq(secs(&cons->steps[0].at), -3 * 86400);
    cr_assert_float_eq(fu__policy_cadence(t, "fast_moving")->cycle, 0.5, 1e-12);
    /* education: enrollment +3d, course start +1w, 2 weeks before the end */
    cr_assert_eq(secs(&step(t, "enrollment", "settling_in")->at), 3 * 86400);
    cr_assert_eq(secs(&step(t, "course_start", "first_week")->at), 7 * 86400);
    cr_assert_eq(secs(&step(t, "course_end", "before_end")->at), -14 * 86400);
    /* bank: within 7 working days, a second confirmation for high-risk */
    s = step(t, "bank_large_sale", "second_confirmation");
    cr_assert_eq(s->within.unit, FU_DURATION_WORKING_DAYS);
    cr_assert_eq(s->within.value, 7);
    cr_assert_eq(s->when.risks.n, 1);
    cr_assert_str_eq(s->when.risks.v[0], "high");
    /* recurring: VIP monthly, deep care quarterly replaces it */
    const fu__pol_cadence *deep = fu__policy_cadence(t, "deep_care");
    cr_assert_eq(deep->trigger, FU__TRIGGER_EVERY);
    cr_assert_eq(deep->every.value, 3);
    cr_assert_eq(deep->n_replaces, 2);
    cr_assert_str_eq(t->cadences[deep->replaces[0]].name, "vip_monthly");
    cr_assert_eq(fu__policy_cadence(t, "vip_monthly")->every.value, 1);
    cr_assert_eq(fu__policy_cadence(t, "vip_monthly")->every.unit, FU_DURATION_MONTHS);

    /* caps: 2 contacts in 72h for new customers */
    const fu__pol_cap *c = cap(t, "new_customer");
    cr_assert_eq(c->max, 2);
    cr_assert_eq(secs(&c->per), 72 * 3600);
    cr_assert_eq(c->when.lifecycles, 0); /* by tenure, not by lifecycle (review s8 F10) */
    cr_assert_eq(secs(&c->tenure_under), 90 * 24 * 3600);
    cr_assert_str_eq(c->rule, "caps.new_customer");
    /* a ceiling the exempt priorities obey too: 5 SMS in 3 days was fined */
    const fu__pol_cap *ceil = cap(t, "sms_ceiling");
    cr_assert_eq(ceil->max, 4);
    cr_assert(ceil->holds_exempt);
    cr_assert_eq(cap(t, "sms")->holds_exempt, 0);
    cr_assert_eq(cap(t, "per_order")->scope, FU__SCOPE_ORDER);
    /* quiet hours 08:00-21:00 */
    cr_assert_eq(fu_windows_contains(t->quiet_allowed, 8 * 60), 1);
    cr_assert_eq(fu_windows_contains(t->quiet_allowed, 8 * 60 - 1), 0);
    cr_assert_eq(fu_windows_contains(t->quiet_allowed, 6 * 1440 + 21 * 60 - 1), 1);
    cr_assert_eq(fu_windows_contains(t->quiet_allowed, 6 * 1440 + 21 * 60), 0);
    /* capacity */
    cr_assert_eq(t->capacity.calls_per_agent_day_min, 150);
    cr_assert_eq(t->capacity.calls_per_agent_day_max, 200);
    cr_assert_eq(t->capacity.customers_per_vip_agent, 80);
    /* SLA */
    cr_assert_eq(secs(&sla(t->sla_response, t->n_sla_response, "urgent")->d), 2 * 3600);
    cr_assert_eq(secs(&sla(t->sla_response, t->n_sla_response, "standard")->d), 24 * 3600);
    cr_assert_eq(secs(&sla(t->sla_response, t->n_sla_response, "routine")->d), 72 * 3600);
    cr_assert_eq(secs(&sla(t->sla_tier, t->n_sla_tier, "vip")->d), 2 * 3600);
    cr_assert_eq(secs(&sla(t->sla_tier, t->n_sla_tier, "ordinary")->d), 24 * 3600);
    const fu__pol_sla *bank = sla(t->sla_regulatory, t->n_sla_regulatory, "bank_large_sale");
    cr_assert_eq(bank->d.unit, FU_DURATION_WORKING_DAYS);
    cr_assert_eq(bank->d.value, 7);
    /* commitments */
    cr_assert_float_eq(t->commitments.warn_at, 0.75, 1e-12);
    cr_assert_float_eq(t->commitments.breach_at, 1.0, 1e-12);
    cr_assert_eq(secs(&t->commitments.escalate_after), 48 * 3600);
    cr_assert_str_eq(t->commitments.calendar->name, "cn");
    /* KPIs */
    cr_assert_float_eq(num(p, "kpis.coverage.target"), 0.90, 1e-12);
    cr_assert_float_eq(num(p, "kpis.coverage.baseline"), 0.65, 1e-12);
    const fu__pol_kpi *k = fu__policy_kpi(t, "resolution");
    cr_assert_float_eq(k->target, 0.95, 1e-12);
    cr_assert_float_eq(k->baseline, 0.78, 1e-12);
    cr_assert_float_eq(k->red, 0.78, 1e-12);
    k = fu__policy_kpi(t, "feedback_closure");
    cr_assert_float_eq(k->target, 0.98, 1e-12);
    cr_assert_float_eq(k->baseline, 0.82, 1e-12);
    k = fu__policy_kpi(t, "csat");
    cr_assert_float_eq(k->target, 4.5, 1e-12);
    cr_assert_float_eq(k->baseline, 3.8, 1e-12);
    cr_assert_eq(k->n_by_tier, 2);
    cr_assert_str_eq(k->by_tier[0].tier, "vip");
    cr_assert_float_eq(k->by_tier[0].target, 4.8, 1e-12);
    cr_assert_str_eq(k->by_tier[1].tier, "ordinary"); /* 000 §3.2 */
    cr_assert_float_eq(k->by_tier[1].target, 4.2, 1e-12);
    k = fu__policy_kpi(t, "nps");
    cr_assert_float_eq(k->target, 50, 1e-12);
    cr_assert_float_eq(k->baseline, 35, 1e-12);
    k = fu__policy_kpi(t, "follow_up_complaints");
    cr_assert_float_eq(k->target, 0.05, 1e-12);
    cr_assert(k->lower_is_better);
    cr_assert_float_eq(k->red, 0.15, 1e-12); /* no baseline: target + 10 points */
    k = fu__policy_kpi(t, "roi"); /* gross ROI: the attribution window, no target */
    cr_assert(isnan(k->target));
    cr_assert_float_eq(k->window.value, 30 * 86400.0, 1e-9);
    k = fu__policy_kpi(t, "roi_incremental"); /* 1:7 (002 §1.3.3), 1:5 without evaluation */
    cr_assert_float_eq(k->target, 7, 1e-12);
    cr_assert_float_eq(k->baseline, 5, 1e-12);
    k = fu__policy_kpi(t, "budget_overrun"); /* review beyond 10% (000 §7.3) */
    cr_assert_float_eq(k->target, 0, 1e-12);
    cr_assert_float_eq(k->red, 0.10, 1e-12);
    cr_assert(k->lower_is_better);
    cr_assert_float_eq(fu__policy_kpi(t, "win_back")->target, 0.25, 1e-12);
    /* scorecard */
    cr_assert_float_eq(t->scorecard.satisfaction, 0.40, 1e-12);
    cr_assert_float_eq(t->scorecard.resolution, 0.30, 1e-12);
    cr_assert_float_eq(t->scorecard.feedback_conversion, 0.20, 1e-12);
    cr_assert_float_eq(t->scorecard.efficiency, 0.10, 1e-12);
    /* commitment patterns compiled and usable */
    cr_assert_geq(t->commitments.n_patterns, 8);
    cr_assert_eq(t->commitments.patterns[0].deadline.kind, FU__DEADLINE_IN);
    cr_assert_eq(t->commitments.patterns[0].deadline.group, 1);
    cr_assert_eq(t->commitments.patterns[0].deadline.dur.unit, FU_DURATION_WORKING_DAYS);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(t->commitments.patterns[0].code, NULL);
    const char *note = "我们会在3个工作日内解决";
    cr_assert_gt(pcre2_match(t->commitments.patterns[0].code, (PCRE2_SPTR)note, strlen(note), 0, 0, md, NULL), 0);
    pcre2_match_data_free(md);
    fu_policy_free(p);
}

Test(policy, rule_names_follow_the_key_paths) {
    fu_policy *p = load_default();
    const fu__policy *t = fu__policy_typed(p);
    cr_assert_str_eq(t->segments.tiers[0].rule, "segments.value_tiers.vip");
    cr_assert_str_eq(fu__policy_cadence(t, "delivery")->rule, "cadences.delivery");
    cr_assert_str_eq(t->suppressions[0].rule, "suppressions.recent_complaint");
    cr_assert_str_eq(fu__policy_kpi(t, "coverage")->rule, "kpis.coverage");
    cr_assert_str_eq(t->commitments.risky[0].rule, "commitments.risky.zh_guarantee_now");
    fu_policy_free(p);
}

/* ------------------------------------------------------------ CN calendar */

static int working(const struct fu_calendar *cal, int y, int m, int d) {
    fu_date date = {y, m, d};
    int r = fu_calendar_is_working_day(cal, &date);
    cr_assert_geq(r, 0);
    return r;
}

Test(policy, cn_calendar_follows_the_state_council_notices) {
    fu_policy *p = load_default();
    const struct fu_calendar *cn = fu_policy_calendar(p, "cn");
    cr_assert_not_null(cn);
    cr_assert_eq(fu_policy_calendar(p, NULL), cn);
    cr_assert_str_eq(fu_calendar_tzid(cn), "Asia/Shanghai");
    /* make-up working weekends */
    cr_assert_eq(working(cn, 2025, 9, 28), 1);
    cr_assert_eq(working(cn, 2025, 10, 11), 1);
    cr_assert_eq(working(cn, 2026, 2, 14), 1);
    cr_assert_eq(working(cn, 2026, 2, 28), 1);
    cr_assert_eq(working(cn, 2024, 10, 12), 1);
    cr_assert_eq(working(cn, 2024, 2, 4), 1);
    cr_assert_eq(working(cn, 2026, 1, 4), 1);
    /* holidays */
    cr_assert_eq(working(cn, 2025, 10, 3), 0);
    cr_assert_eq(working(cn, 2025, 10, 8), 0);
    cr_assert_eq(working(cn, 2025, 1, 28), 0);
    cr_assert_eq(working(cn, 2025, 6, 2), 0);
    cr_assert_eq(working(cn, 2024, 6, 10), 0);
    cr_assert_eq(working(cn, 2026, 2, 23), 0);
    cr_assert_eq(working(cn, 2026, 9, 25), 0);
    /* ordinary days */
    cr_assert_eq(working(cn, 2025, 10, 9), 1);  /* Thursday after the holiday */
    cr_assert_eq(working(cn, 2025, 10, 18), 0); /* plain Saturday */
    /* every make-up day is a weekend day and a working day; every holiday is closed */
    const fu__policy *t = fu__policy_typed(p);
    const fu__pol_calendar *pc = t->calendar;
    cr_assert_eq(pc->n_workdays, 19);
    cr_assert_eq(pc->n_holidays, 89);
    for (size_t i = 0; i < pc->n_workdays; i++) {
        fu_date d = {pc->workdays[i].year, pc->workdays[i].month, pc->workdays[i].day};
        cr_assert_geq(fu_date_weekday(&d), FU_SATURDAY, "%d-%d-%d", d.year, d.month, d.day);
        cr_assert_eq(fu_calendar_is_working_day(cn, &d), 1);
    }
    for (size_t i = 0; i < pc->n_holidays; i++) {
        fu_date d = {pc->holidays[i].year, pc->holidays[i].month, pc->holidays[i].day};
        cr_assert_eq(fu_calendar_is_working_day(cn, &d), 0);
    }
    /* 3 working days from Friday 2025-09-26 10:00 +08:00 end on Tuesday 09-30 18:00 */
    int64_t t0 = 0, end = 0, want = 0;
    cr_assert_eq(fu_time_parse("2025-09-26T10:00:00+08:00", 25, &t0), FU_OK);
    cr_assert_eq(fu_time_parse("2025-09-30T18:00:00+08:00", 25, &want), FU_OK);
    cr_assert_eq(fu_calendar_add_working_days(cn, t0, 3, FU_WORKDAY_END_OF_DAY, &end), FU_OK);
    cr_assert_eq(end, want);
    /* business hours: lunch break closed */
    int64_t lunch = 0;
    cr_assert_eq(fu_time_parse("2025-10-09T12:30:00+08:00", 25, &lunch), FU_OK);
    cr_assert_eq(fu_calendar_is_open(cn, lunch), 0);
    cr_assert_eq(fu_calendar_is_open(cn, lunch + 3600), 1);
    cr_assert_null(fu_policy_calendar(p, "nope"));
    cr_assert_eq(fu_error_last()->code, FU_ENOTFOUND);
    fu_policy_free(p);
}

Test(policy, site_calendar_extends_cn) {
    const char *y = "calendars:\n"
                    "  acme:\n"
                    "    extends: cn\n"
                    "    hours:\n"
                    "      sat: [\"10:00-12:00\"]\n"
                    "    holidays: [2025-10-09]\n"
                    "    workdays: [2025-10-08]\n"
                    "commitments:\n"
                    "  calendar: acme\n";
    fu_policy *p = load_site(y);
    const struct fu_calendar *acme = fu_policy_calendar(p, "acme");
    cr_assert_not_null(acme);
    cr_assert_str_eq(fu_calendar_tzid(acme), "Asia/Shanghai");
    cr_assert_eq(working(acme, 2025, 10, 9), 0);   /* own holiday */
    cr_assert_eq(working(acme, 2025, 10, 8), 1);   /* own workday beats cn's holiday */
    cr_assert_eq(working(acme, 2025, 10, 3), 0);   /* inherited holiday */
    cr_assert_eq(working(acme, 2025, 9, 28), 1);   /* inherited make-up day */
    cr_assert_eq(working(acme, 2025, 10, 18), 1);  /* Saturdays open now */
    cr_assert_eq(working(acme, 2025, 10, 19), 0);
    cr_assert_eq(working(fu_policy_calendar(p, "cn"), 2025, 10, 18), 0);
    cr_assert_str_eq(fu__policy_typed(p)->commitments.calendar->name, "acme");
    fu_policy_free(p);
}

/* ------------------------------------------------------------ durations */

struct dur_case {
    char text[40];
    int rc;
    long long value;
    int unit;
    unsigned long col;
};

ParameterizedTestParameters(policy, duration_parse) {
    static struct dur_case cases[] = {
        {"90m", FU_OK, 5400, FU_DURATION_SECONDS, 0},
        {"2h", FU_OK, 7200, FU_DURATION_SECONDS, 0},
        {"1h 30m", FU_OK, 5400, FU_DURATION_SECONDS, 0},
        {"3d", FU_OK, 259200, FU_DURATION_SECONDS, 0},
        {"1w", FU_OK, 604800, FU_DURATION_SECONDS, 0},
        {"45 seconds", FU_OK, 45, FU_DURATION_SECONDS, 0},
        {"-30d", FU_OK, -2592000, FU_DURATION_SECONDS, 0},
        {"1 month", FU_OK, 1, FU_DURATION_MONTHS, 0},
        {"3 months", FU_OK, 3, FU_DURATION_MONTHS, 0},
        {"1y", FU_OK, 12, FU_DURATION_MONTHS, 0},
        {"7 working days", FU_OK, 7, FU_DURATION_WORKING_DAYS, 0},
        {"1 business day", FU_OK, 1, FU_DURATION_WORKING_DAYS, 0},
        {"15 business hours", FU_OK, 54000, FU_DURATION_BUSINESS_SECONDS, 0},
        {"30 business minutes", FU_OK, 1800, FU_DURATION_BUSINESS_SECONDS, 0},
        {"same day", FU_OK, 0, FU_DURATION_WORKING_DAYS, 0},
        {"2 Hours", FU_OK, 7200, FU_DURATION_SECONDS, 0},
        {"", FU_EPARSE, 0, 0, 1},
        {"h", FU_EPARSE, 0, 0, 1},
        {"12", FU_EPARSE, 0, 0, 3},
        {"48x", FU_EPARSE, 0, 0, 3},
        {"2h 3 months", FU_EPARSE, 0, 0, 6},
        {"7 working hours", FU_EPARSE, 0, 0, 11},
        {"3d!", FU_EPARSE, 0, 0, 3},
        {"99999999999999999999h", FU_ERANGE, 0, 0, 1},
    };
    return cr_make_param_array(struct dur_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct dur_case *c, policy, duration_parse) {
    fu_duration d = {-1, FU_DURATION_MONTHS};
    int rc = fu_duration_parse(c->text, strlen(c->text), &d);
    cr_assert_eq(rc, c->rc, "'%s': rc %d (%s)", c->text, rc, fu_error_last()->message);
    if (rc == FU_OK) {
        cr_assert_eq(d.value, c->value, "'%s': %lld", c->text, (long long)d.value);
        cr_assert_eq((int)d.unit, c->unit);
        /* the canonical form reads back to the same duration */
        char buf[64];
        fu_duration back;
        fu_duration_format(&d, buf, sizeof buf);
        cr_assert_eq(fu_duration_parse(buf, strlen(buf), &back), FU_OK, "%s", buf);
        cr_assert_eq(back.value, d.value, "%s", buf);
        cr_assert_eq(back.unit, d.unit, "%s", buf);
    } else {
        cr_assert_eq(fu_error_last()->column, c->col, "'%s': column %lu (%s)", c->text,
                     fu_error_last()->column, fu_error_last()->message);
        cr_assert_str_eq(fu_error_last()->source, "<duration>");
    }
}

Test(policy, duration_format_canonical_forms) {
    struct { fu_duration d; const char *want; } cases[] = {
        {{48 * 3600, FU_DURATION_SECONDS}, "48h"},
        {{8 * 86400, FU_DURATION_SECONDS}, "8d"},
        {{14 * 86400, FU_DURATION_SECONDS}, "2w"},
        {{90 * 60, FU_DURATION_SECONDS}, "90m"},
        {{-3 * 86400, FU_DURATION_SECONDS}, "-72h"},
        {{7, FU_DURATION_WORKING_DAYS}, "7 working days"},
        {{1, FU_DURATION_MONTHS}, "1 month"},
        {{54000, FU_DURATION_BUSINESS_SECONDS}, "15 business hours"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        size_t n = fu_duration_format(&cases[i].d, buf, sizeof buf);
        cr_assert_str_eq(buf, cases[i].want);
        cr_assert_eq(n, strlen(cases[i].want));
    }
    char small[4];
    cr_assert_eq(fu_duration_format(&cases[5].d, small, sizeof small), strlen("7 working days"));
    cr_assert_str_eq(small, "7 w");
}

/* ------------------------------------------------------------ site policies */

Test(policy, site_overrides_one_value_and_keeps_the_rest) {
    fu_policy *base = load_default();
    fu_policy *p = load_site("name: acme\nversion: \"3\"\n"
                             "caps:\n  limits:\n    new_customer: {max: 1}\n"
                             "kpis:\n  coverage: {target: 85%}\n");
    const fu__policy *t = fu__policy_typed(p);
    cr_assert_str_eq(fu_policy_name(p), "acme");
    cr_assert_str_eq(fu_policy_version(p), "3");
    cr_assert_eq(cap(t, "new_customer")->max, 1);
    cr_assert_eq(secs(&cap(t, "new_customer")->per), 72 * 3600); /* kept */
    cr_assert_eq(t->n_caps, fu__policy_typed(base)->n_caps);
    cr_assert_float_eq(num(p, "kpis.coverage.target"), 0.85, 1e-12);
    cr_assert_float_eq(num(p, "kpis.coverage.baseline"), 0.65, 1e-12); /* kept */
    cr_assert_float_eq(num(p, "kpis.resolution.target"), 0.95, 1e-12);
    cr_assert_eq(t->n_cadences, fu__policy_typed(base)->n_cadences);
    cr_assert_eq(t->calendar->n_holidays, 89);
    fu_policy_free(base);
    fu_policy_free(p);
}

Test(policy, site_sequences_replace_and_null_removes) {
    fu_policy *base = load_default();
    fu_policy *p = load_site("cadences:\n  win_back: ~\n"
                             "caps:\n  exempt: []\n"
                             "suppressions:\n  promotion_blackout:\n    dates: [\"12-12\"]\n");
    const fu__policy *t = fu__policy_typed(p);
    cr_assert_null(fu__policy_cadence(t, "win_back"));
    cr_assert_eq(t->n_cadences, fu__policy_typed(base)->n_cadences - 1);
    cr_assert_eq(t->cap_exempt, 0);
    const fu__pol_suppression *s = NULL;
    for (size_t i = 0; i < t->n_suppressions; i++)
        if (strcmp(t->suppressions[i].name, "promotion_blackout") == 0) s = &t->suppressions[i];
    cr_assert_not_null(s);
    cr_assert_eq(s->n_month_days, 1);
    cr_assert_eq(s->month_days[0], 1212);
    size_t n = 0;
    cr_assert_eq(fu_policy_get_length(p, "suppressions.promotion_blackout.dates", &n), FU_OK);
    cr_assert_eq(n, 1);
    fu_policy_free(base);
    fu_policy_free(p);
}

Test(policy, extends_none_needs_every_section) {
    const char *y = "extends: none\nname: tiny\n";
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, y, strlen(y), "tiny.yaml", NULL), FU_EPOLICY);
    cr_assert_null(p);
    cr_assert_str_eq(fu_error_last()->path, "calendars");
    cr_assert(strstr(fu_error_last()->message, "missing required key 'calendars'"));
    /* the standalone flag does the same */
    fu_policy_load_options o = FU_POLICY_LOAD_OPTIONS_INIT;
    o.flags = FU_POLICY_STANDALONE;
    const char *y2 = "name: tiny\n";
    cr_assert_eq(fu_policy_load_string(&p, y2, strlen(y2), "tiny.yaml", &o), FU_EPOLICY);
    /* the built-in text itself loads standalone */
    size_t len = 0;
    const char *text = fu_policy_default_yaml(&len);
    cr_assert_gt(len, 1000);
    cr_assert_eq(strlen(text), len);
    cr_assert_eq(fu_policy_load_string(&p, text, len, "copy.yaml", &o), FU_OK, "%s", fu_error_last()->message);
    cr_assert_str_eq(fu_policy_source(p), "copy.yaml");
    fu_policy_free(p);
}

Test(policy, generic_getters) {
    fu_policy *p = load_default();
    const char *s = NULL;
    cr_assert_eq(fu_policy_get_string(p, "calendars.cn.tz", &s), FU_OK);
    cr_assert_str_eq(s, "Asia/Shanghai");
    cr_assert_eq(fu_policy_get_string(p, "calendars.cn.holidays[1]", &s), FU_OK);
    cr_assert_str_eq(s, "2024-02-10..2024-02-17");
    fu_duration d;
    cr_assert_eq(fu_policy_get_duration(p, "cadences.delivery.steps.first_contact.within", &d), FU_OK);
    cr_assert_eq(d.value, 48 * 3600);
    cr_assert_eq(fu_policy_get_duration(p, "sla.regulatory.bank_large_sale", &d), FU_OK);
    cr_assert_eq(d.unit, FU_DURATION_WORKING_DAYS);
    int b = -1;
    cr_assert_eq(fu_policy_get_bool(p, "redaction.enabled", &b), FU_OK);
    cr_assert_eq(b, 1);
    cr_assert_float_eq(num(p, "scorecard.weights.satisfaction"), 0.40, 1e-12);
    cr_assert_float_eq(num(p, "segments.value_tiers.vip.above"), 500000, 1e-9);
    size_t n = 0;
    cr_assert_eq(fu_policy_get_length(p, "calendars.cn.workdays", &n), FU_OK);
    cr_assert_eq(n, 19);
    cr_assert_eq(fu_policy_get_key(p, "segments.value_tiers", 0, &s), FU_OK);
    cr_assert_str_eq(s, "vip");
    double v;
    cr_assert_eq(fu_policy_get_number(p, "kpis.nope.target", &v), FU_ENOTFOUND);
    cr_assert_eq(fu_policy_get_number(p, "calendars.cn.tz", &v), FU_EPOLICY);
    cr_assert_eq(fu_policy_get_number(p, "kpis.coverage", &v), FU_EPOLICY);
    cr_assert_eq(fu_policy_get_string(p, "calendars.cn.holidays[99]", &s), FU_ENOTFOUND);
    cr_assert_eq(fu_policy_get_key(p, "segments.value_tiers", 3, &s), FU_ENOTFOUND);
    cr_assert_eq(fu_policy_get_length(p, "currency", &n), FU_EPOLICY);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ bad policies */

struct bad_case {
    char name[32];
    char yaml[700];
    int code;
    unsigned long line, column;
    char path[96];
    char msg[96];
};

ParameterizedTestParameters(policy, bad_policy_is_reported_with_position) {
    static struct bad_case cases[] = {
        {"unknown key", "caps:\n  limits:\n    new_customer: {maxx: 1}\n", FU_EPOLICY, 3, 20,
         "caps.limits.new_customer.maxx", "unknown key 'maxx' (did you mean 'max'?)"},
        {"unknown section", "cadence:\n  x: 1\n", FU_EPOLICY, 1, 1, "cadence", "did you mean 'cadences'?"},
        {"wrong type", "kpis:\n  coverage:\n    target: [1]\n", FU_EPOLICY, 3, 13, "kpis.coverage.target",
         "got a sequence"},
        {"wrong type map", "caps: 3\n", FU_EPOLICY, 1, 7, "caps", "expected a mapping, got '3'"},
        {"bad duration", "cadences:\n  delivery:\n    steps:\n      first_contact:\n        within: 48x\n",
         FU_EPOLICY, 5, 19, "cadences.delivery.steps.first_contact.within", "unknown unit 'x'"},
        {"negative duration", "caps:\n  min_gap: -1h\n", FU_EPOLICY, 2, 12, "caps.min_gap", "must not be negative"},
        {"unknown tz", "calendars:\n  cn:\n    tz: Mars/Olympus\n", FU_ETIMEZONE, 3, 9, "calendars.cn.tz",
         "unknown time zone 'Mars/Olympus'"},
        {"overlapping hours", "calendars:\n  cn:\n    hours:\n      mon: [\"09:00-12:00\", \"11:00-13:00\"]\n",
         FU_EPOLICY, 4, 28, "calendars.cn.hours.mon[1]", "overlap '09:00-12:00'"},
        {"bad hours", "calendars:\n  cn:\n    hours:\n      tue: [\"18:00-09:00\"]\n", FU_EPOLICY, 4, 13,
         "calendars.cn.hours.tue[0]", "ends before it starts"},
        {"bad date", "calendars:\n  cn:\n    holidays: [2025-02-30]\n", FU_EPOLICY, 3, 16, "calendars.cn.holidays[0]",
         "expected a date"},
        {"holiday and workday", "calendars:\n  x:\n    tz: UTC\n    holidays: [2025-05-01]\n    workdays: [2025-05-01]\n",
         FU_EPOLICY, 5, 15, "calendars.x.workdays", "both a holiday and a workday"},
        {"extends cycle", "calendars:\n  a: {extends: b}\n  b: {extends: a}\n", FU_EPOLICY, 3, 16,
         "calendars.b.extends", "extends itself"},
        {"negative number", "capacity:\n  customers_per_vip_agent: -5\n", FU_EPOLICY, 2, 28,
         "capacity.customers_per_vip_agent", "must not be negative"},
        {"zero cap", "caps:\n  limits:\n    weekly: {max: 0, per: 0h}\n", FU_EPOLICY, 3, 19, "caps.limits.weekly.max",
         "out of range [1, 10000]"},
        {"zero cap window", "caps:\n  limits:\n    weekly: {per: 0h}\n", FU_EPOLICY, 3, 19, "caps.limits.weekly.per",
         "longer than zero"},
        {"min above max", "capacity:\n  calls_per_agent_day: {min: 300}\n", FU_EPOLICY, 2, 30,
         "capacity.calls_per_agent_day.min", "above max 200"},
        {"weights sum", "scorecard:\n  weights:\n    efficiency: 0.2\n", FU_EPOLICY, 3, 5, "scorecard.weights",
         "must sum to 1, they sum to 1.1"},
        {"share above 1", "commitments:\n  warn_at: 150%\n", FU_EPOLICY, 2, 12, "commitments.warn_at",
         "a share must lie in [0.01, 1]"},
        {"kpi above 1", "kpis:\n  coverage: {target: 1.2}\n", FU_EPOLICY, 2, 22, "kpis.coverage.target",
         "a share must lie in [0, 1]"},
        {"baseline above target", "kpis:\n  coverage: {baseline: 0.95}\n", FU_EPOLICY, 2, 24,
         "kpis.coverage.baseline", "better (higher) than the target"},
        {"bad regex", "commitments:\n  risky:\n    bad: {regex: 'ab(c', reason: x}\n", FU_EPOLICY, 3, 23,
         "commitments.risky.bad.regex", "bad regular expression at offset 4"},
        {"deadline group", "commitments:\n  patterns:\n    p: {regex: 'in (\\d+) days', deadline: in $2d}\n",
         FU_EPOLICY, 3, 43, "commitments.patterns.p.deadline", "uses $2 but the regex has 1 capture group"},
        {"unknown tier ref", "cadences:\n  vip_monthly:\n    when: {tier: [vpi]}\n", FU_EPOLICY, 3, 19,
         "cadences.vip_monthly.when.tier[0]", "unknown value tier 'vpi' (did you mean 'vip'?)"},
        {"unknown channel", "cadences:\n  delivery:\n    steps:\n      first_contact: {channel: fax}\n", FU_EPOLICY,
         4, 32, "cadences.delivery.steps.first_contact.channel", "unknown channel 'fax'; expected one of: phone"},
        {"two triggers", "cadences:\n  delivery:\n    trigger: {every: 1w}\n", FU_EPOLICY, 3, 14,
         "cadences.delivery.trigger", "exactly one of"},
        {"missing step key", "cadences:\n  new_one:\n    trigger: {event: x}\n    steps:\n      a: {at: 1d}\n",
         FU_EPOLICY, 5, 10, "cadences.new_one.steps.a.within", "missing required key 'within'"},
        {"tier without zero", "segments:\n  value_tiers:\n    ordinary: ~\n", FU_EPOLICY, 3, 5,
         "segments.value_tiers", "no entry covers 0"},
        {"bad windows", "quiet_hours:\n  allowed: \"Mon-Sun 08:00-25:00\"\n", FU_EPOLICY, 2, 27,
         "quiet_hours.allowed", "bad windows"},
        {"hour out of range without days", "quiet_hours:\n  allowed: \"25:00-26:00\"\n", FU_EPOLICY, 2, 13,
         "quiet_hours.allowed", "hour 25 out of range (00..24) in time '25:00'"},
        {"minute out of range", "quiet_hours:\n  allowed: \"Mon 09:00-18:00;Tue 8:75-9:00\"\n", FU_EPOLICY, 2, 33,
         "quiet_hours.allowed", "minute 75 out of range (00..59) in time '8:75'"},
        {"time without days", "quiet_hours:\n  allowed: \"09:00-18:00\"\n", FU_EPOLICY, 2, 13,
         "quiet_hours.allowed", "expected a day name (Mon..Sun) before the time '09:00'"},
        {"duplicate key", "caps:\n  min_gap: 1h\n  min_gap: 2h\n", FU_EPOLICY, 3, 3, "caps.min_gap", "duplicate key 'min_gap' (first at line 2)"},
        {"extends bogus", "extends: other\n", FU_EPOLICY, 1, 10, "extends", "'builtin' or 'none'"},
        {"empty file", "", FU_EPOLICY, 1, 1, "", "the policy is empty"},
        {"only a comment", "# nothing here\n", FU_EPOLICY, 1, 1, "", "the policy is empty"},
        {"not a mapping", "- a\n- b\n", FU_EPOLICY, 1, 1, "", "a policy is a mapping"},
        /* found at the end: placed after the last character, not on a line 3
         * the text does not have (review s11 L9) */
        {"yaml syntax", "caps:\n  min_gap: [1h\n", FU_EPARSE, 2, 15, "", "YAML syntax error"},
        {"invalid utf-8", "name: \"acme \xff\"\n", FU_EPARSE, 1, 13, "", "not valid UTF-8"},
        {"two documents", "name: a\n---\nname: b\n", FU_EPOLICY, 2, 1, "", "one YAML document"},
        {"deep nesting",
         "x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
         FU_ELIMIT, 1, 67, "", "nesting deeper than 64 levels"},
        {"alias bomb",
         "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
         "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
         "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
         "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
         FU_ELIMIT, 6, 0, "", "alias bomb"},
        {"unknown alias", "caps: *nope\n", FU_EPOLICY, 1, 7, "", "unknown alias '*nope'"},
    };
    return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *c, policy, bad_policy_is_reported_with_position) {
    fu_policy *p = (fu_policy *)1;
    int rc = fu_policy_load_string(&p, c->yaml, strlen(c->yaml), "bad.yaml", NULL);
    const fu_error *e = fu_error_last();
    char full[1024];
    fu_error_format(full, sizeof full);
    cr_assert_eq(rc, c->code, "%s: rc %d, want %d (%s)", c->name, rc, c->code, full);
    cr_assert_null(p, "%s: out must be NULL on failure", c->name);
    cr_assert_eq(e->code, c->code, "%s", c->name);
    cr_assert_str_eq(e->source, "bad.yaml", "%s", c->name);
    cr_assert_eq(e->line, c->line, "%s: line %lu, want %lu (%s)", c->name, e->line, c->line, full);
    if (c->column) /* 0: the column is not pinned down (alias bomb: somewhere on the line) */
        cr_assert_eq(e->column, c->column, "%s: column %lu, want %lu (%s)", c->name, e->column, c->column, full);
    cr_assert_str_eq(e->path, c->path, "%s: path '%s' (%s)", c->name, e->path, full);
    cr_assert(strstr(e->message, c->msg), "%s: message '%s' lacks '%s'", c->name, e->message, c->msg);
}

/* Fixture files: errors carry the file name. */
Test(policy, fixture_files) {
    char path[1024];
    fu_policy *p = NULL;
    snprintf(path, sizeof path, "%s/data/policy/site_ok.yaml", FU_TEST_SRCDIR);
    cr_assert_eq(fu_policy_load_file(&p, path, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_str_eq(fu_policy_source(p), path);
    cr_assert_float_eq(num(p, "kpis.csat.target"), 4.6, 1e-12);
    fu_policy_free(p);

    snprintf(path, sizeof path, "%s/data/policy/bad_weights.yaml", FU_TEST_SRCDIR);
    cr_assert_eq(fu_policy_load_file(&p, path, NULL), FU_EPOLICY);
    cr_assert_str_eq(fu_error_last()->source, path);
    cr_assert_str_eq(fu_error_last()->path, "scorecard.weights");
    cr_assert_eq(fu_error_last()->line, 4);

    snprintf(path, sizeof path, "%s/data/policy/no_such_file.yaml", FU_TEST_SRCDIR);
    cr_assert_eq(fu_policy_load_file(&p, path, NULL), FU_EIO);
    cr_assert_null(p);

    /* the example site policy shipped with the sources */
    snprintf(path, sizeof path, "%s/../examples/policies/site.yaml", FU_TEST_SRCDIR);
    cr_assert_eq(fu_policy_load_file(&p, path, NULL), FU_OK, "%s", fu_error_last()->message);
    cr_assert_str_eq(fu_policy_name(p), "acme-appliances");
    fu_policy_free(p);
}

Test(policy, size_limit) {
    fu_policy_load_options o = FU_POLICY_LOAD_OPTIONS_INIT;
    o.max_bytes = 64;
    const char *y = "name: a policy whose text is longer than the sixty-four bytes allowed here\n";
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, y, strlen(y), "big.yaml", &o), FU_ELIMIT);
    cr_assert(strstr(fu_error_last()->message, "limit of 64"));
    char path[1024];
    snprintf(path, sizeof path, "%s/data/policy/site_ok.yaml", FU_TEST_SRCDIR);
    cr_assert_eq(fu_policy_load_file(&p, path, &o), FU_ELIMIT);
    /* a bad options version is refused */
    o.version = 99;
    cr_assert_eq(fu_policy_load_string(&p, "a: 1", 4, NULL, &o), FU_EINVAL);
    cr_assert_eq(fu_policy_load_string(NULL, "a: 1", 4, NULL, NULL), FU_EINVAL);
}

Test(policy, small_aliases_are_fine) {
    fu_policy *p = load_site("calendars:\n"
                             "  a:\n    tz: Europe/Berlin\n    hours: &h\n      mon: [\"08:00-16:00\"]\n"
                             "  b:\n    tz: America/New_York\n    hours: *h\n");
    const fu__policy *t = fu__policy_typed(p);
    cr_assert_eq(t->n_calendars, 3);
    const struct fu_calendar *b = fu_policy_calendar(p, "b");
    cr_assert_str_eq(fu_calendar_tzid(b), "America/New_York");
    cr_assert_eq(working(b, 2025, 10, 6), 1);  /* Monday */
    cr_assert_eq(working(b, 2025, 10, 7), 0);  /* Tuesday: no hours */
    fu_policy_free(p);
}

/* ------------------------------------------------------------ summary */

Test(policy, summary_says_what_the_policy_does) {
    fu_policy *p = load_default();
    char *s = NULL;
    size_t slen = 0;
    cr_assert_eq(fu_policy_summary(p, &slen, &s), FU_OK);
    cr_assert_eq(slen, strlen(s), "the length out-parameter (docs/api.md, Conventions)");
    const char *lines[] = {
        "policy builtin version 2026.1 (from <builtin>), currency CNY\n",
        "  cn: Asia/Shanghai, Mon-Fri 09:00-12:00,13:30-18:00; 89 holidays, 19 make-up workdays (2024..2026)\n",
        "value tiers (annual spend): vip > 500000; key >= 100000; ordinary >= 0\n",
        "  delivery: on event delivery: first_contact at 0h within 48h (phone); second_contact at 1w within 8d (phone)\n",
        "  urgent_fault: on event repair severity=urgent: first_check at 0h within 2h (phone); second_check at 2h within 22h (phone); survey at 72h within 24h (phone)\n",
        "  new_customer: at most 2 per 72h customers of less than 90d\n",
        "  sms_ceiling: at most 4 per 72h channel=sms (exempt priorities too)\n",
        "quiet hours: contacts allowed daily 08:00-21:00 local time\n",
        "capacity: 150-200 calls per agent per day, at most 80 customers per VIP agent\n",
        "commitments: warn at 75%, breach at 100% of the allowed time, escalate after 48h;",
        "scorecard: satisfaction 0.40, resolution 0.30, feedback conversion 0.20, efficiency 0.10\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_assert(strstr(s, lines[i]), "summary lacks: %s\n--- summary:\n%s", lines[i], s);
    cr_assert(strstr(s, "coverage 90% / 65%"));
    cr_assert(strstr(s, "sla: urgent 2h; standard 24h; routine 72h; vip 2h;"));
    fu_free(s);
    fu_policy_free(p);
}

/* ------------------------------------------------------------ OOM, threads */

static int load_default_op(void *ctx) {
    (void)ctx;
    fu_policy *p = NULL;
    int rc = fu_policy_default(&p);
    if (rc) return rc;
    char *s = NULL;
    rc = fu_policy_summary(p, NULL, &s);
    fu_free(s);
    fu_policy_free(p);
    return rc;
}

Test(policy, oom_loading_the_builtin_policy, .timeout = 600) {
    unsigned long n = fu_test_oom("fu_policy_default", load_default_op, NULL, 100000);
    cr_assert_gt(n, 50);
}

static int load_site_op(void *ctx) {
    const char *y = ctx;
    fu_policy *p = NULL;
    int rc = fu_policy_load_string(&p, y, strlen(y), "site.yaml", NULL);
    fu_policy_free(p);
    return rc;
}

Test(policy, oom_loading_a_site_policy, .timeout = 600) {
    static char y[] = "calendars:\n  acme: {extends: cn, holidays: [2025-12-24..2025-12-26]}\n"
                      "commitments:\n  risky:\n    extra: {regex: 'no problem', reason: r}\n"
                      "redaction:\n  extra:\n    member_id: {regex: 'M\\d{8}'}\n";
    unsigned long n = fu_test_oom("fu_policy_load_string", load_site_op, y, 100000);
    cr_assert_gt(n, 50);
}

static void *reader(void *arg) {
    const fu_policy *p = arg;
    const fu__policy *t = fu__policy_typed(p);
    const struct fu_calendar *cn = fu_policy_calendar(p, "cn");
    long ok = 1;
    for (int i = 0; i < 2000 && ok; i++) {
        double v = 0;
        fu_date d = {2025, 9, 28};
        ok = fu_policy_get_number(p, "kpis.coverage.target", &v) == FU_OK && v == 0.9 &&
             fu__policy_tier_of(t, 600000.0 + i) == 0 && fu_calendar_is_working_day(cn, &d) == 1;
    }
    return (void *)ok;
}

Test(policy, one_policy_is_read_by_many_threads) {
    fu_policy *p = load_default();
    pthread_t th[4];
    for (int i = 0; i < 4; i++) cr_assert_eq(pthread_create(&th[i], NULL, reader, p), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(th[i], &r);
        cr_assert_eq((long)r, 1);
    }
    fu_policy_free(p);
}

Test(policy, free_accepts_null) { fu_policy_free(NULL); }

/* ------------------------------------------------------------ promise text (issue 15, item 10) */

/* The built-in policy's promise patterns read the counts the source
 * documents write in Chinese numerals and their traditional characters
 * (document 000: 3個工作日內解決). Notes written Mon 2026-03-02 10:00 in
 * Shanghai, business hours Mon-Fri 09:00-18:00: three working days close
 * on Thu 03-05 18:00; 二十四小時 is 24 h; 十天 10 days; 下週五 Fri 03-13. */
Test(policy, promise_patterns_read_chinese_numerals_and_traditional_text) {
    fu_policy *p = load_default();
    fu_extractor *ex = NULL;
    cr_assert_eq(fu_extractor_new_from_policy(&ex, p), FU_OK, "%s", fu_error_last()->message);
    fu_calendar *cal = NULL;
    cr_assert_eq(fu_calendar_new(&cal, "Asia/Shanghai"), FU_OK);
    const char *hours = "Mon-Fri 09:00-18:00";
    cr_assert_eq(fu_calendar_set_hours_text(cal, hours, strlen(hours)), FU_OK);
    int64_t at = 0;
    cr_assert_eq(fu_time_parse("2026-03-02T10:00:00+08:00", 25, &at), FU_OK);
    static const struct {
        const char *note, *rule, *text, *deadline;
    } cases[] = {
        {"客户报修，承诺三个工作日内解决", "commitments.patterns.zh_working_days", "三个工作日内",
         "2026-03-05T18:00:00+08:00"},
        {"承諾3個工作日內解決", "commitments.patterns.zh_working_days", "3個工作日內", "2026-03-05T18:00:00+08:00"},
        {"二十四小時內回覆", "commitments.patterns.zh_hours", "二十四小時內", "2026-03-03T10:00:00+08:00"},
        {"十天內寄到", "commitments.patterns.zh_days", "十天內", "2026-03-12T10:00:00+08:00"},
        {"下週五前給答覆", "commitments.patterns.zh_next_friday", "下週五前", "2026-03-13T18:00:00+08:00"},
        {"两个工作日内回电", "commitments.patterns.zh_working_days", "两个工作日内", "2026-03-04T18:00:00+08:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fu_extraction *x = NULL;
        cr_assert_eq(fu_extractor_run(ex, cal, cases[i].note, strlen(cases[i].note), at, &x), FU_OK);
        cr_assert_eq(fu_extraction_promise_count(x), 1, "%s", cases[i].note);
        const fu_promise *pr = fu_extraction_promise(x, 0);
        cr_assert_str_eq(pr->rule, cases[i].rule, "%s", cases[i].note);
        cr_assert_str_eq(pr->text, cases[i].text, "%s", cases[i].note);
        int64_t want = 0;
        cr_assert_eq(fu_time_parse(cases[i].deadline, strlen(cases[i].deadline), &want), FU_OK);
        cr_assert_eq(pr->deadline, want, "%s: %lld", cases[i].note, (long long)pr->deadline);
        fu_extraction_free(x);
    }
    fu_extractor_free(ex);
    fu_calendar_free(cal);
    fu_policy_free(p);
}

/* Step `after` names an earlier step of its cadence; `redial` outcomes are
 * checked (issue 15, items 5 and 7). */
Test(policy, step_after_and_redial_are_checked) {
    static const struct {
        const char *yaml, *needle;
    } bad[] = {
        {"cadences:\n  delivery:\n    steps:\n      first_contact: {after: second_contact}\n", "not an earlier step"},
        {"redial:\n  no_answer: {retry_after: soon}\n", "retry_after"},
        {"redial:\n  hung_up: {stop: true}\n", "hung_up"},
        {"redial:\n  attempts_per_day: -1\n", "attempts_per_day"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fu_policy *p = NULL;
        cr_assert_eq(fu_policy_load_string(&p, bad[i].yaml, strlen(bad[i].yaml), "site.yaml", NULL), FU_EPOLICY, "%s",
                     bad[i].yaml);
        const fu_error *e = fu_error_last();
        cr_assert(strstr(e->message, bad[i].needle) || strstr(e->path, bad[i].needle), "%s: %s at %s", bad[i].yaml,
                  e->message, e->path);
        cr_assert_null(p);
    }
    fu_policy *p = load_default();
    const fu__policy *t = fu__policy_typed(p);
    cr_assert_eq(t->redial.per_day, 3);
    cr_assert_eq(t->redial.outcome[FU_OUTCOME_NO_ANSWER].retry.unit, FU_DURATION_BUSINESS_SECONDS);
    cr_assert_eq(t->redial.outcome[FU_OUTCOME_NO_ANSWER].retry.value, 2 * 3600);
    cr_assert(t->redial.outcome[FU_OUTCOME_WRONG_NUMBER].stop);
    cr_assert_str_eq(t->redial.outcome[FU_OUTCOME_REFUSED].rule, "redial.refused");
    fu_policy_free(p);
}

/* The key tables of the split policy (lib/policy_<section>.c) report errors in
 * the order the hand-written readers did: unknown keys first (listed in the
 * section's own order), then the keys in reading order, each validator right
 * after its key; absent keys keep their defaults. */
static const fu_error *site_error(const char *yaml) {
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, yaml, strlen(yaml), "site.yaml", NULL), FU_EPOLICY, "%s", yaml);
    cr_assert_null(p);
    return fu_error_last();
}

Test(policy, key_tables_keep_the_error_order) {
    const fu_error *e = site_error("capacity:\n  customers_per_vip_agent: 0\n  calls_per_agent_day: {min: 0}\n");
    cr_assert_str_eq(e->path, "capacity.customers_per_vip_agent");
    cr_assert_str_eq(e->message, "0 is out of range [1, 100000]");
    cr_assert_eq(e->line, 2);
    e = site_error("capacity:\n  bogus_key_xyz: 1\n");
    cr_assert_str_eq(e->message,
                     "unknown key 'bogus_key_xyz'; expected one of: calls_per_agent_day, customers_per_vip_agent");
    e = site_error("capacity:\n  calls_per_agnet_day: {min: 1, max: 2}\n");
    cr_assert_str_eq(e->message, "unknown key 'calls_per_agnet_day' (did you mean 'calls_per_agent_day'?)");
    e = site_error("capacity:\n  calls_per_agent_day: {min: 20, max: 5}\n");
    cr_assert_str_eq(e->path, "capacity.calls_per_agent_day.min");
    cr_assert_str_eq(e->message, "min 20 is above max 5");
    e = site_error("besttime:\n  slot: 11m\n  half_life: never\n");
    cr_assert_str_eq(e->path, "besttime.slot");
    cr_assert_str_eq(e->message, "slot must divide a week and lie between 5m and 1d");
    e = site_error("scorecard:\n  weights: {satisfaction: 0.5, resolution: 0.5, feedback_conversion: 0.5, efficiency: 0}\n");
    cr_assert_str_eq(e->path, "scorecard.weights");
    cr_assert_str_eq(e->message, "weights must sum to 1, they sum to 1.5");

    fu_policy *p = load_site("redaction:\n  builtin: {phone: false}\n");
    const fu__pol_redaction *r = &fu__policy_typed(p)->redaction;
    cr_assert(r->enabled && !r->phone && r->id_number && r->bank_card && r->email);
    fu_policy_free(p);
}

/* The segment rules are built once, when the policy is loaded: every
 * fu_segment_rules_new_from_policy() is a copy whose tables are the policy's. */
Test(policy, segment_rules_are_built_once_with_the_policy) {
    fu_policy *p = load_default();
    fu_segment_rules *a = NULL, *b = NULL;
    cr_assert_eq(fu_segment_rules_new_from_policy(&a, p), FU_OK);
    cr_assert_eq(fu_segment_rules_new_from_policy(&b, p), FU_OK);
    cr_assert_neq(a, b);
    const fu_segment_rules *built = fu__policy_segment_rules(p);
    cr_assert_eq(a->tiers, built->tiers);
    cr_assert_eq(b->rfm_rules, built->rfm_rules);
    cr_assert_eq(a->composite, built->composite);
    cr_assert_eq(a->n_tiers, fu__policy_typed(p)->segments.n_tiers);
    cr_assert_str_eq(a->tiers[0].rule, "segments.value_tiers.vip");
    a->rfm_bins = 3; /* the caller's copy: the policy's rules do not change */
    cr_assert_eq(built->rfm_bins, (unsigned)fu__policy_typed(p)->segments.rfm_bins);
    fu_segment_rules_free(a);
    fu_segment_rules_free(b);
    fu_policy_free(p);
}

/* Booleans: true/false, yes/no, on/off in any case (YAML 1.1 files write
 * yes/no, and the CSVs accept yes/no); anything else names its place. */
Test(policy, booleans_accept_yes_no_on_off_in_any_case) {
    static const struct {
        const char *word;
        int want;
    } ok[] = {{"true", 1}, {"False", 0}, {"yes", 1}, {"no", 0}, {"NO", 0}, {"Yes", 1}, {"on", 1}, {"OFF", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char y[160];
        snprintf(y, sizeof y, "redaction:\n  enabled: %s\nagents:\n  weekends: %s\n", ok[i].word, ok[i].word);
        fu_policy *p = NULL;
        cr_assert_eq(fu_policy_load_string(&p, y, strlen(y), "b.yaml", NULL), FU_OK, "%s: %s", ok[i].word,
                     fu_error_last()->message);
        int b = -1;
        cr_assert_eq(fu_policy_get_bool(p, "redaction.enabled", &b), FU_OK, "%s", ok[i].word);
        cr_assert_eq(b, ok[i].want, "%s", ok[i].word);
        fu_policy_free(p);
    }
    const char *bad = "redaction:\n  enabled: maybe\n";
    fu_policy *p = NULL;
    cr_assert_eq(fu_policy_load_string(&p, bad, strlen(bad), "b.yaml", NULL), FU_EPOLICY);
    const fu_error *e = fu_error_last();
    cr_assert_eq(e->line, 2);
    cr_assert_eq(e->column, 12);
    cr_assert(strstr(e->message, "expected true or false (yes/no, on/off), got 'maybe'"), "%s", e->message);
}
