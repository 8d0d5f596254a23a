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

#include "internal.h"
#include "followup/policy.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

/* Limits of the typed policy (documented in docs/policy.md). */
#define FU__POL_MAX_TIERS 32       /* value tiers, product classes, RFM groups: bit masks */
#define FU__POL_MAX_INTERVALS 8    /* business-hour intervals per weekday */

/* A list of strings (borrowed from the policy). */
typedef struct fu__pol_strs {
    const char *const *v;
    size_t n;
} fu__pol_strs;

/* An optional duration: `set` is 0 when the policy leaves it out. */
typedef struct fu__pol_dur {
    fu_duration d;
    int set;
} fu__pol_dur;

/* Lifecycle stages (segments.lifecycle). The bit of stage s is 1u << s. */
typedef enum fu__pol_lifecycle {
    FU__LC_NEW = 0,
    FU__LC_GROWING = 1,
    FU__LC_MATURE = 2,
    FU__LC_DECLINING = 3, /* churn risk */
    FU__LC_CHURNED = 4,
    FU__LC_COUNT = 5
} fu__pol_lifecycle;
/* "new", "growing", "mature", "declining", "churned"; NULL out of range. */
const char *fu__pol_lifecycle_name(int stage);

/* Contact channels. The bit of channel c is 1u << c. */
typedef enum fu__pol_channel {
    FU__CH_PHONE = 0,
    FU__CH_SMS = 1,
    FU__CH_EMAIL = 2,
    FU__CH_CHAT = 3, /* chat / WeChat */
    FU__CH_VIDEO = 4,
    FU__CH_VISIT = 5, /* on-site visit */
    FU__CH_COUNT = 6
} fu__pol_channel;
/* "phone", "sms", "email", "chat", "video", "visit"; NULL out of range. */
const char *fu__pol_channel_name(int channel);

/* Priorities of a contact, most pressing first. The bit of p is 1u << p. */
typedef enum fu__pol_priority {
    FU__PRIO_URGENT = 0,
    FU__PRIO_HIGH = 1,
    FU__PRIO_NORMAL = 2,
    FU__PRIO_LOW = 3,
    FU__PRIO_COUNT = 4
} fu__pol_priority;
/* "urgent", "high", "normal", "low"; NULL out of range. */
const char *fu__pol_priority_name(int priority);

/* A condition (`when:` in the YAML). Every part that is given must hold; an
 * empty part (mask 0, list n 0, unset) holds for everyone. Masks index the
 * arrays of fu__pol_segments (bit i = tiers[i], classes[i], rfm_groups[i]). */
typedef struct fu__pol_when {
    uint32_t tiers;          /* value tiers of the customer */
    uint32_t product_classes; /* product class of the triggering event's item */
    uint32_t lifecycles;     /* lifecycle stages (fu__pol_lifecycle bits) */
    uint32_t rfm_groups;     /* RFM groups of the customer */
    fu__pol_strs severities; /* event `severity` values, e.g. "urgent" */
    fu__pol_strs industries; /* customer `industry` values, e.g. "bank" */
    fu__pol_strs risks;      /* risk level of the sold product, e.g. "high" */
    int is_smb;              /* -1 any, 0 not a small business, 1 a small business */
    fu__pol_dur min_tenure;  /* customer since at least this long */
    uint32_t surveys;        /* survey scales of the triggering survey answer (fu_survey bits) */
    int has_score_max;       /* score_at_most given */
    double score_max;        /* the survey answer's score is at most this */
    int unresolved;          /* 1: the triggering problem has no `resolved` event since (same order) */
} fu__pol_when;

/* ------------------------------------------------------------- calendars */

/* One business-hours interval of a weekday, minutes after local midnight,
 * start < end <= 1440; the intervals of a day are sorted and disjoint. */
typedef struct fu__pol_interval {
    int start_min;
    int end_min;
} fu__pol_interval;

/* A date as days since 1970-01-01 (proleptic Gregorian) plus y/m/d. */
typedef struct fu__pol_date {
    int year, month, day;
    int64_t days;
} fu__pol_date;

/* A calendar after `extends:` was resolved (parent's data included). */
typedef struct fu__pol_calendar {
    const char *name;       /* key under `calendars` */
    const char *tz;         /* IANA zone, checked with ICU */
    /* business hours per weekday, index 0 = Monday ... 6 = Sunday */
    fu__pol_interval hours[7][FU__POL_MAX_INTERVALS];
    int n_hours[7];
    const fu__pol_date *holidays; /* sorted, unique, ranges expanded */
    size_t n_holidays;
    const fu__pol_date *workdays; /* make-up working days, sorted, unique */
    size_t n_workdays;
    int has_hours;          /* 0: no `hours` anywhere, the calendar is open all the time */
    int64_t data_until;     /* last day (days since 1970-01-01) the official holidays and
                               make-up days cover: `data_until`, else Dec 31 of the latest
                               year listed; INT64_MAX when it lists none */
    struct fu_calendar *cal; /* built with the calendar API; owned by the policy */
} fu__pol_calendar;

/* ------------------------------------------------------------- segments */

/* A threshold band: a value v belongs when v > min (min_exclusive, YAML
 * `above`) or v >= min (YAML `at_least`). Bands are sorted by min
 * descending; the first that matches wins; the last one has min 0 inclusive
 * so every non-negative value has a band. */
typedef struct fu__pol_band {
    const char *name; /* "vip", "high_price" */
    const char *rule; /* "segments.value_tiers.vip" */
    double min;
    int min_exclusive;
    const char *kind; /* product classes: "durable", ...; NULL for tiers */
} fu__pol_band;

/* Inclusive score range 1..bins of one RFM dimension; lo = 0 means any. */
typedef struct fu__pol_range {
    int lo, hi;
} fu__pol_range;

typedef struct fu__pol_rfm_group {
    const char *name;
    const char *rule; /* "segments.rfm.high_value_loyal" */
    fu__pol_range r, f, m;
} fu__pol_rfm_group;

typedef enum fu__pol_handling {
    FU__HANDLING_HUMAN = 0,    /* one-to-one follow-up by an agent */
    FU__HANDLING_AUTOMATED = 1 /* SMS / e-mail / bot */
} fu__pol_handling;

typedef struct fu__pol_composite {
    const char *name;
    const char *rule; /* "segments.composite.deep_care" */
    fu__pol_when when;
    fu__pol_handling handling;
} fu__pol_composite;

typedef struct fu__pol_segments {
    fu__pol_band tiers[FU__POL_MAX_TIERS]; /* value tiers by annual spend */
    size_t n_tiers;
    fu__pol_band classes[FU__POL_MAX_TIERS]; /* product classes by unit price */
    size_t n_classes;
    /* lifecycle: checked in the order churned, declining, new, mature, growing */
    fu_duration new_within;      /* first purchase less than this ago: new */
    fu_duration mature_after;    /* tenure at least this: mature */
    fu_duration declining_inactive_for; /* no purchase this long: declining */
    double declining_spend_drop; /* last-12-months spend fell by >= this share: declining */
    fu_duration declining_complaint_within; /* complaint this recent: declining */
    fu_duration churned_after;   /* no purchase this long: churned */
    /* RFM */
    fu_duration rfm_window;
    int rfm_bins; /* 2..10 */
    fu__pol_rfm_group rfm_groups[FU__POL_MAX_TIERS]; /* first match wins */
    size_t n_rfm_groups;
    /* CLV */
    fu_duration clv_horizon;
    double clv_annual_discount_rate;   /* [0,1) */
    double clv_human_from_quantile;    /* [0,1]: this CLV quantile and up -> human */
    /* composite segments, first match wins */
    const fu__pol_composite *composite;
    size_t n_composite;
} fu__pol_segments;

/* ------------------------------------------------------------- cadences */

typedef enum fu__pol_trigger_kind {
    FU__TRIGGER_EVENT = 0,     /* an event of kind `event` */
    FU__TRIGGER_LIFECYCLE = 1, /* the customer enters lifecycle stage `lifecycle` */
    FU__TRIGGER_CYCLE = 2,     /* fraction `cycle` of the customer's purchase cycle */
    FU__TRIGGER_EVERY = 3,     /* recurring, every `every` */
    FU__TRIGGER_PROMISE = 4    /* a promise of the commitment ledger reaches state `promise` */
} fu__pol_trigger_kind;

/* FU__TRIGGER_PROMISE: which state of a promise triggers the cadence, and
 * the instant its steps count from. */
typedef enum fu__pol_promise_state {
    FU__PROMISE_AT_RISK = 0,  /* open, from its deadline (steps with at < 0: the lead time) */
    FU__PROMISE_BREACHED = 1, /* unresolved and past its breach instant, from that instant */
    FU__PROMISE_FULFILLED = 2 /* fulfilled, from the fulfilment */
} fu__pol_promise_state;

const char *fu__pol_promise_state_name(int state);

typedef struct fu__pol_step {
    const char *name;    /* "first_contact" */
    const char *rule;    /* "cadences.delivery.first_contact" */
    fu_duration at;      /* window start, relative to the trigger (may be < 0) */
    fu_duration within;  /* window length after `at` (>= 0) */
    const char *purpose; /* free text for agents and plan output */
    fu__pol_channel channel;
    fu__pol_priority priority;
    fu__pol_when when;   /* extra condition of this step (on top of the cadence's) */
    int survey;          /* 1: the contact asks for a survey answer (caps with scope survey) */
    int after;           /* index of an earlier step of the cadence whose contact comes first
                            (a separate call, never merged with it); -1 none */
    const char *team;    /* who makes the contact (`team:`, e.g. "expert"); NULL: the usual agents
                            (a promise's contact: the promise's owner) */
} fu__pol_step;

typedef struct fu__pol_cadence {
    const char *name; /* "delivery" */
    const char *rule; /* "cadences.delivery" */
    fu__pol_trigger_kind trigger;
    const char *event;      /* FU__TRIGGER_EVENT: event kind ("delivery") */
    fu__pol_lifecycle lifecycle; /* FU__TRIGGER_LIFECYCLE */
    double cycle;           /* FU__TRIGGER_CYCLE: fraction of the cycle, (0, 10] */
    fu_duration every;      /* FU__TRIGGER_EVERY: period (> 0) */
    int min_purchases;      /* FU__TRIGGER_CYCLE: purchases needed to predict the cycle */
    fu__pol_promise_state promise; /* FU__TRIGGER_PROMISE */
    fu__pol_when when;      /* who the cadence applies to */
    const size_t *replaces; /* indexes into fu__policy.cadences it supersedes when it applies */
    size_t n_replaces;
    const fu__pol_step *steps; /* sorted as written */
    size_t n_steps;
} fu__pol_cadence;

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

/* One SLA entry: a named level and its response time. */
typedef struct fu__pol_sla {
    const char *name; /* "urgent", "vip", "bank_large_sale" */
    const char *rule; /* "sla.response.urgent" */
    fu_duration d;
} fu__pol_sla;

/* ------------------------------------------------------------- commitments */

typedef enum fu__pol_deadline_kind {
    FU__DEADLINE_IN = 0,        /* now + dur (dur.value from capture `group` if > 0) */
    FU__DEADLINE_TOMORROW = 1,  /* tomorrow at minute_of_day (local) */
    FU__DEADLINE_WEEKDAY = 2,   /* the next `weekday` (today counts if before the time) */
    FU__DEADLINE_NEXT_WEEK = 3, /* `weekday` of next calendar week (Mon-Sun weeks) */
    FU__DEADLINE_MONTH_END = 4  /* last day of this month at minute_of_day */
} fu__pol_deadline_kind;

typedef struct fu__pol_deadline {
    fu__pol_deadline_kind kind;
    fu_duration dur;   /* IN: unit and value; value ignored when group > 0 */
    int group;         /* IN: capture group giving the count ($1), 0 = none */
    int weekday;       /* WEEKDAY/NEXT_WEEK: 0 = Monday .. 6 = Sunday */
    int minute_of_day; /* TOMORROW/WEEKDAY/NEXT_WEEK/MONTH_END */
} fu__pol_deadline;

/* A regular expression of the policy, compiled with PCRE2_UTF | PCRE2_UCP
 * (| PCRE2_CASELESS unless `ignore_case: false`), no JIT (a module wanting
 * JIT compiles its own copy of `regex`). */
typedef struct fu__pol_pattern {
    const char *name;
    const char *rule;   /* "commitments.patterns.zh_working_days" */
    const char *regex;  /* source text */
    pcre2_code *code;   /* compiled, owned by the policy */
    fu__pol_deadline deadline; /* extraction patterns */
    const char *reason; /* risky patterns, redaction: replacement text */
} fu__pol_pattern;

typedef struct fu__pol_commitments {
    const fu__pol_calendar *calendar; /* business time of deadlines */
    double warn_at;         /* (0,1]: share of the allowed time */
    double breach_at;       /* [warn_at, 2] */
    fu_duration escalate_after;
    fu_duration default_deadline;
    const fu__pol_pattern *patterns; size_t n_patterns; /* extraction, first match wins */
    const fu__pol_pattern *risky; size_t n_risky;
} fu__pol_commitments;

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

typedef struct fu__pol_redaction {
    int enabled;
    int phone, id_number, bank_card, email; /* built-in maskers switched on */
    const fu__pol_pattern *extra; size_t n_extra; /* reason = replacement text */
} fu__pol_redaction;

typedef struct fu__pol_besttime {
    fu_duration slot;        /* divides one week; wall seconds */
    fu_duration half_life;   /* > 0 */
    double prior_strength;   /* >= 0, pseudo-contacts */
    double prior_answer_rate; /* [0,1] */
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
