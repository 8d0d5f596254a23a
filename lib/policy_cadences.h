/* The typed `cadences` section (built by policy_cadences.c). */
#ifndef FU_POLICY_CADENCES_H
#define FU_POLICY_CADENCES_H

#include "policy_types.h"

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

#endif /* FU_POLICY_CADENCES_H */
