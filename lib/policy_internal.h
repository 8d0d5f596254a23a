/* The typed, validated, in-memory policy that the other modules read.
 *
 * fu_policy_load_*() parses the YAML, merges it over the built-in policy,
 * validates every key and builds one `fu__policy` (below). Every field has
 * been checked, so readers need no validation of their own: ranges hold,
 * references resolve, names are unique.
 *
 * Ownership and threads: everything reachable from a fu__policy (strings,
 * arrays, compiled regexes, calendars) is owned by the fu_policy and lives as
 * long as it does. Nothing in it changes after loading; readers must not
 * modify it (all pointers are const in spirit), so any number of threads may
 * read one policy at a time. Compiled pcre2 codes are read-only too: each
 * thread matching with them needs its own pcre2_match_data.
 *
 * Rule names ("rule" fields, cited in touchpoints, suppressions, segments and
 * RAG statuses): the key path of the rule in the policy with the container
 * keys `steps`, `limits` and `groups` left out, e.g.
 * "cadences.delivery.first_contact", "caps.new_customer",
 * "segments.value_tiers.vip", "segments.rfm.churn_risk",
 * "suppressions.recent_complaint", "commitments.risky.en_guarantee",
 * "kpis.coverage".
 *
 * Absent optional values: durations with `set == 0` (see fu__pol_dur),
 * numbers as NAN (test with isnan), conditions with zero masks / empty lists.
 */
#ifndef FU_POLICY_INTERNAL_H
#define FU_POLICY_INTERNAL_H

/* The sections that other modules read on their own have their own header;
 * a module that needs only one includes only that one. */
#include "policy_types.h"
#include "policy_calendars.h"
#include "policy_segments.h"
#include "policy_cadences.h"
#include "policy_patterns.h"
#include "policy_commitments.h"
#include "policy_redaction.h"

/* ------------------------------------------------------------- caps etc. */

typedef enum fu__pol_scope {
    FU__SCOPE_CUSTOMER = 0,
    FU__SCOPE_ORDER = 1, /* per order id: dedup of contacts about one order */
    FU__SCOPE_SURVEY = 2 /* survey contacts (steps with survey: true) and survey answers only */
} fu__pol_scope;

/* At most `max` contacts within any window of length `per`. */
typedef struct fu__pol_cap {
    const char *name;
    const char *rule;   /* "caps.new_customer" */
    int max;            /* >= 1 */
    fu_duration per;    /* > 0, wall seconds or months */
    fu__pol_scope scope;
    uint32_t channels;  /* channel bits counted; 0 = all channels */
    uint32_t priorities; /* priority bits counted; 0 = all not exempt */
    fu__pol_when when;
    int counts;         /* `counts`: 0 every attempt (default), 1 only contacts that reached the customer */
    int holds_exempt;   /* `holds_exempt`: the exempt priorities (caps.exempt) obey it too: a ceiling */
    fu_duration tenure_under; /* `tenure_under`: only customers whose first purchase is less than this
                               * long ago, or none yet (value 0: every customer) */
} fu__pol_cap;

/* What a call attempt's outcome changes (`redial`). */
typedef struct fu__pol_redial_outcome {
    int set;             /* the policy names this outcome */
    int stop;            /* stop calling for the touchpoint */
    fu_duration retry;   /* retry no earlier than this after the attempt */
    const char *rule;    /* "redial.no_answer" */
} fu__pol_redial_outcome;

typedef struct fu__pol_redial {
    int per_day;         /* call attempts per customer and local day; 0 = no limit */
    int per_touchpoint;  /* attempts within one touchpoint's window; 0 = no limit */
    int lifetime;        /* unanswered attempts in a row before calls stop; 0 = no limit */
    fu__pol_redial_outcome outcome[8]; /* by fu_outcome */
} fu__pol_redial;

typedef enum fu__pol_action {
    FU__ACTION_SKIP_ROUTINE = 0,     /* drop routine (normal/low) contacts */
    FU__ACTION_DEFER = 1,            /* move contacts past the suppressed period */
    FU__ACTION_SERVICE_RECOVERY = 2  /* replace routine contacts by a recovery contact */
} fu__pol_action;
/* "skip_routine", "defer", "service_recovery"; NULL out of range. */
const char *fu__pol_action_name(int action);

typedef enum fu__pol_supp_kind {
    FU__SUPP_RECENT_EVENT = 0, /* `within`: a recent event (complaint, inquiry) */
    FU__SUPP_DATES = 1,        /* `dates` + `before`: ahead of yearly dates */
    FU__SUPP_MONTH_END = 2     /* `last_days` of each month */
} fu__pol_supp_kind;

typedef struct fu__pol_suppression {
    const char *name;
    const char *rule;  /* "suppressions.recent_complaint" */
    fu__pol_supp_kind kind;
    const char *event; /* RECENT_EVENT: event kind ("complaint", "inquiry") */
    fu_duration within; /* RECENT_EVENT */
    const int *month_days; /* DATES: month*100+day, n_month_days entries */
    size_t n_month_days;
    fu_duration before;    /* DATES: how long before each date */
    int last_days;         /* MONTH_END: 1..28 */
    fu__pol_action action;
    fu__pol_when when;
} fu__pol_suppression;

typedef struct fu__pol_capacity {
    int calls_per_agent_day_min;
    int calls_per_agent_day_max;
    int customers_per_vip_agent;
} fu__pol_capacity;

/* When agents may be given a call (`agents`, lib/planner_agents.c): on top of
 * each agent's own shift, in the team calendar's zone. */
typedef struct fu__pol_agent_hours {
    const fu__pol_calendar *calendar; /* agents.calendar: the team's hours, holidays, make-up days */
    int team_hours; /* 1: agent calls only within the calendar's hours of the day */
    int weekends;   /* 1: agent calls allowed on Saturdays and Sundays that are not make-up working days */
    int holidays;   /* 1: agent calls allowed on the calendar's public holidays and an agent's days off */
    uint32_t exempt; /* priority bits that none of the three holds back */
} fu__pol_agent_hours;

/* CLV decides human vs automated (`channels.by_clv`, the planner). */
typedef struct fu__pol_by_clv {
    int set;               /* channels.by_clv given */
    double human_at_least; /* CLV from which contacts are one-to-one; NAN: the
                              segments.clv.human_from_quantile quantile of the known CLVs */
    fu__pol_channel human;     /* channel of a high-CLV customer's automated contacts */
    fu__pol_channel automated; /* channel of a low-CLV customer's agent contacts */
    uint32_t priorities;   /* priority bits the rule moves (0: all) */
} fu__pol_by_clv;

/* One SLA entry: a named level and its response time. */
typedef struct fu__pol_sla {
    const char *name; /* "urgent", "vip", "bank_large_sale" */
    const char *rule; /* "sla.response.urgent" */
    fu_duration d;
} fu__pol_sla;



/* ------------------------------------------------------------- kpis */

typedef struct fu__pol_kpi_override {
    const char *tier;  /* value tier name */
    double target;
} fu__pol_kpi_override;

/* RAG: green when the value meets `target`; red when it is at or beyond
 * `red` (YAML `red`, else the baseline, else target -/+ amber_margin: an
 * absolute distance for rates, a share of |target| otherwise); amber in
 * between. `lower_is_better` flips the comparisons. */
typedef struct fu__pol_kpi {
    const char *name; /* "coverage" */
    const char *rule; /* "kpis.coverage" */
    double target;
    double baseline;  /* NAN when not given */
    double red;       /* threshold of red, computed as described above */
    double min, max;  /* scale of the value, fixed per KPI (rates: 0..1) */
    int is_rate;      /* value is a share in [0,1] */
    int lower_is_better;
    const fu__pol_kpi_override *by_tier; size_t n_by_tier;
    fu_duration window; /* `window:` (wall time); value 0 when not given */
} fu__pol_kpi;

typedef struct fu__pol_kpis {
    fu_duration period;
    double confidence;   /* (0,1) */
    double amber_margin; /* [0,1] */
    const fu__pol_kpi *v; size_t n;
} fu__pol_kpis;

typedef struct fu__pol_scorecard {
    double satisfaction, resolution, feedback_conversion, efficiency; /* sum 1 */
} fu__pol_scorecard;


typedef struct fu__pol_besttime {
    fu_duration slot;        /* divides one week; wall seconds */
    fu_duration half_life;   /* > 0 */
    double prior_strength;   /* >= 0, pseudo-contacts */
    double prior_answer_rate; /* [0,1] */
    int model;                /* 0 slots (per-slot Beta), 1 mixture of hour profiles */
    int types;                /* profiles of the mixture, 2..8; 0: not given (4) */
} fu__pol_besttime;

/* ------------------------------------------------------------- the policy */

typedef struct fu__policy {
    const char *name;
    const char *version;
    const char *currency;
    const fu__pol_calendar *calendar; /* default calendar (top-level `calendar`) */
    const fu__pol_calendar *calendars; size_t n_calendars;
    fu__pol_segments segments;
    const fu__pol_cadence *cadences; size_t n_cadences;
    fu_duration min_gap;          /* caps.min_gap */
    uint32_t cap_exempt;          /* caps.exempt: priority bits */
    const fu__pol_cap *caps; size_t n_caps;
    const fu_windows *quiet_allowed; /* when contacts are allowed, customer's local time */
    uint32_t quiet_exempt;        /* priority bits */
    uint32_t quiet_holidays;      /* quiet_hours.on_holidays: priority bits that may be made on a holiday */
    const fu__pol_suppression *suppressions; size_t n_suppressions;
    fu__pol_capacity capacity;
    fu__pol_agent_hours agent_hours; /* agents */
    fu__pol_by_clv by_clv;           /* channels.by_clv */
    fu__pol_redial redial;
    const fu__pol_sla *sla_response; size_t n_sla_response; /* by severity */
    const fu__pol_sla *sla_tier; size_t n_sla_tier;         /* by value tier */
    const fu__pol_sla *sla_regulatory; size_t n_sla_regulatory;
    fu__pol_commitments commitments;
    fu__pol_kpis kpis;
    fu__pol_scorecard scorecard;
    fu__pol_redaction redaction;
    fu__pol_besttime besttime;
    int guard_unknown_allow; /* guard.unknown_customer: 0 deny, 1 allow */
} fu__policy;

/* The typed view of a loaded policy (borrowed). Never NULL for a loaded policy. */
const fu__policy *fu__policy_typed(const fu_policy *p);

/* Lookups by name; NULL when absent. */
const fu__pol_cadence *fu__policy_cadence(const fu__policy *t, const char *name);
const fu__pol_kpi *fu__policy_kpi(const fu__policy *t, const char *name);
/* Index of a value tier / product class by name, -1 when absent. */
int fu__policy_tier_index(const fu__policy *t, const char *name);
int fu__policy_class_index(const fu__policy *t, const char *name);
/* Value tier / product class of an amount (first band that matches), -1 for NaN / negative. */
int fu__policy_tier_of(const fu__policy *t, double annual_spend);
int fu__policy_class_of(const fu__policy *t, double unit_price);

#endif /* FU_POLICY_INTERNAL_H */
