/* Section `cadences`: triggers and steps of the follow-up sequences. Read by
 * the planner (lib/planner*.c) and the commitment ledger (promise cadences). */
#include "policy_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Step k of a cadence's `steps` mapping (the path names the step). */
static const char *const step_allowed[] = {"at",   "within", "purpose", "channel", "priority",
                                          "when", "survey", "after",   "team",    NULL};
static const fu__pol_key step_rows[] = {
    FU__KEY_DUR(fu__pol_step, at, "at", 1, DUR_ANY | DUR_NEG | DUR_ZERO),
    FU__KEY_DUR(fu__pol_step, within, "within", 1, DUR_ANY | DUR_ZERO),
    FU__KEY_STR(fu__pol_step, purpose, "purpose", 1),
    {FU__KEY_("channel", FU__K_ENUM, fu__pol_step, channel, 0), .what = "channel", .names = fu__pol_channel_names,
     .has_def = 1, .def = FU__CH_PHONE},
    {FU__KEY_("priority", FU__K_ENUM, fu__pol_step, priority, 0), .what = "priority", .names = fu__pol_priority_names,
     .has_def = 1, .def = FU__PRIO_NORMAL},
    FU__KEY_WHEN(fu__pol_step, when, "when"),
    FU__KEY_BOOL(fu__pol_step, survey, "survey", 0),
    FU__KEY_STR(fu__pol_step, team, "team", 0),
};
static const fu__pol_keys step_keys = FU__KEYS(step_rows, step_allowed, NULL);

static int build_step(bctx *b, const fu__pol_cadence *cd, const ynode *steps, size_t k, fu__pol_step *st) {
    vctx *c = b->c;
    const ynode *se = steps->ents[k].val;
    int rc = FU_OK;
    st->name = steps->ents[k].key->text;
    st->rule = fu__pol_rule_name(c, "cadences", cd->name, st->name);
    if (!st->rule) rc = fu__error_nomem();
    if (!rc) rc = fu__pol_read_keys(b, se, &step_keys, st);
    st->after = -1;
    const ynode *af = NULL;
    if (!rc) rc = fu__pol_field(c, se, "after", 0, &af);
    if (!rc && af) { /* an earlier step of this cadence */
        size_t o5 = fu__pol_path_push(c, "after");
        rc = fu__pol_want_scalar(c, af, "the name of an earlier step of this cadence");
        for (size_t q = 0; !rc && q < k && st->after < 0; q++)
            if (strcmp(steps->ents[q].key->text, af->text) == 0) st->after = (int)q;
        if (!rc && st->after < 0)
            rc = fu__pol_verr(c, af, FU_EPOLICY, "'%.40s' is not an earlier step of this cadence", af->text);
        fu__pol_path_pop(c, o5);
    }
    return rc;
}

static int read_trigger(bctx *b, const fu__pol_key *k, const ynode *tr, void *base) {
    static const char *const trig_keys[] = {"event", "lifecycle", "cycle", "every", "promise", NULL};
    vctx *c = b->c;
    fu__pol_cadence *cd = base;
    (void)k;
    int rc = fu__pol_check_keys(c, tr, trig_keys);
    int nk = 0;
    for (int q = 0; trig_keys[q]; q++) nk += fu__pol_map_get(tr, trig_keys[q]) != NULL;
    if (!rc && nk != 1)
        rc = fu__pol_verr(c, tr, FU_EPOLICY, "give exactly one of 'event', 'lifecycle', 'cycle', 'every' or 'promise'");
    if (!rc && fu__pol_map_get(tr, "event")) {
        cd->trigger = FU__TRIGGER_EVENT;
        rc = fu__pol_rd_str(c, tr, "event", 1, &cd->event);
    } else if (!rc && fu__pol_map_get(tr, "lifecycle")) {
        int lc = 0;
        cd->trigger = FU__TRIGGER_LIFECYCLE;
        rc = fu__pol_rd_enum(c, tr, "lifecycle", 1, "lifecycle stage", fu__pol_lifecycle_names, &lc);
        cd->lifecycle = (fu__pol_lifecycle)lc;
    } else if (!rc && fu__pol_map_get(tr, "promise")) {
        int ps = 0;
        cd->trigger = FU__TRIGGER_PROMISE;
        rc = fu__pol_rd_enum(c, tr, "promise", 1, "promise state", fu__pol_promise_state_names, &ps);
        cd->promise = (fu__pol_promise_state)ps;
    } else if (!rc && fu__pol_map_get(tr, "cycle")) {
        cd->trigger = FU__TRIGGER_CYCLE;
        rc = fu__pol_rd_share(c, tr, "cycle", 1, 0.01, 1, &cd->cycle);
    } else if (!rc) {
        cd->trigger = FU__TRIGGER_EVERY;
        rc = fu__pol_rd_dur(c, tr, "every", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &cd->every);
    }
    return rc;
}

static int read_steps(bctx *b, const fu__pol_key *k, const ynode *steps, void *base) {
    vctx *c = b->c;
    fu__pol_cadence *cd = base;
    (void)k;
    int rc = fu__pol_want_count(c, steps, "a cadence needs at least one step", 0, NULL);
    fu__pol_step *sv = rc ? NULL : fu__arena_calloc(c->a, steps->n, sizeof *sv);
    if (!rc && !sv) rc = fu__error_nomem();
    for (size_t q = 0; q < (rc ? 0 : steps->n); q++) {
        size_t o4 = fu__pol_path_push(c, steps->ents[q].key->text);
        rc = build_step(b, cd, steps, q, &sv[q]);
        fu__pol_path_pop(c, o4);
    }
    if (!rc) {
        cd->steps = sv;
        cd->n_steps = steps->n;
    }
    return rc;
}

/* `replaces` is read in a second pass, when every cadence has its name. */
static const char *const cadence_allowed[] = {"trigger", "when", "steps", "replaces", "min_purchases", NULL};
static const fu__pol_key cadence_rows[] = {
    FU__KEY_FN("trigger", 1, read_trigger),
    FU__KEY_WHEN(fu__pol_cadence, when, "when"),
    {FU__KEY_("min_purchases", FU__K_INT, fu__pol_cadence, min_purchases, 0), .lo = 2, .hi = 1000, .has_def = 1,
     .def = 2},
    FU__KEY_FN("steps", 1, read_steps),
};
static const fu__pol_keys cadence_keys = FU__KEYS(cadence_rows, cadence_allowed, NULL);

static const fu__pol_entries cadence_entries = {sizeof(fu__pol_cadence), "cadences", &cadence_keys, NULL};

/* Cadence i's `replaces`: names of other cadences. */
static int read_replaces(vctx *c, const ynode *cads, fu__pol_cadence *cv, size_t i) {
    const ynode *rp;
    int rc = fu__pol_field(c, cads->ents[i].val, "replaces", 0, &rp);
    if (rc || !rp) return rc;
    size_t o3 = fu__pol_path_push(c, "replaces");
    fu__pol_strs names;
    size_t *idx = fu__pol_strs_array(c, rp, &names, sizeof *idx, &rc);
    for (size_t k = 0; k < (rc ? 0 : names.n); k++) {
        size_t j;
        for (j = 0; j < cads->n; j++)
            if (strcmp(cv[j].name, names.v[k]) == 0) break;
        const ynode *at = rp->kind == YN_SEQ ? rp->items[k] : rp;
        size_t o4 = rp->kind == YN_SEQ ? fu__pol_path_push_idx(c, k) : c->plen;
        if (j == cads->n) {
            const char **cn = fu__calloc(cads->n ? cads->n : 1, sizeof *cn);
            if (!cn) {
                rc = fu__error_nomem();
            } else {
                for (size_t q = 0; q < cads->n; q++) cn[q] = cv[q].name;
                rc = fu__pol_unknown_name(c, at, "cadence", names.v[k], cn, cads->n);
                fu__free(cn);
            }
        } else if (j == i) {
            rc = fu__pol_verr(c, at, FU_EPOLICY, "a cadence cannot replace itself");
        }
        fu__pol_path_pop(c, o4);
        idx[k] = j;
    }
    if (!rc) {
        cv[i].replaces = idx;
        cv[i].n_replaces = names.n;
    }
    fu__pol_path_pop(c, o3);
    return rc;
}

/* `replaces` of every cadence, once all of them have their names. */
static int read_all_replaces(vctx *c, const ynode *cads, fu__pol_cadence *cv) {
    int rc = FU_OK;
    size_t old = fu__pol_path_push(c, "cadences");
    for (size_t i = 0; !rc && i < cads->n; i++) {
        size_t o2 = fu__pol_path_push(c, cads->ents[i].key->text);
        rc = read_replaces(c, cads, cv, i);
        fu__pol_path_pop(c, o2);
    }
    fu__pol_path_pop(c, old);
    return rc;
}

int fu__pol_build_cadences(bctx *b, const ynode *root) {
    fu__policy *t = &b->c->p->t;
    void *v = NULL;
    int rc = fu__pol_read_named(b, root, "cadences", 1, &cadence_entries, &v, &t->n_cadences);
    t->cadences = v;
    if (!rc) rc = read_all_replaces(b->c, fu__pol_map_get(root, "cadences"), v);
    return rc;
}

const fu__pol_cadence *fu__policy_cadence(const fu__policy *t, const char *name) {
    return fu__pol_find(t->cadences, t->n_cadences, sizeof *t->cadences, name);
}


void fu__pol_summary_cadences(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "cadences: %zu\n", t->n_cadences);
    for (size_t i = 0; i < t->n_cadences; i++) {
        const fu__pol_cadence *cd = &t->cadences[i];
        fu__buf_printf(b, "  %s: ", cd->name);
        switch (cd->trigger) {
        case FU__TRIGGER_EVENT: fu__buf_printf(b, "on event %s", cd->event); break;
        case FU__TRIGGER_LIFECYCLE: fu__buf_printf(b, "on becoming %s", fu__pol_lifecycle_names[cd->lifecycle]); break;
        case FU__TRIGGER_CYCLE: fu__buf_printf(b, "at %.0f%% of the purchase cycle", cd->cycle * 100); break;
        case FU__TRIGGER_EVERY: fu__buf_puts(b, "every "); fu__pol_put_dur(b, &cd->every); break;
        case FU__TRIGGER_PROMISE: fu__buf_printf(b, "on a promise %s", fu__pol_promise_state_names[cd->promise]); break;
        }
        fu__pol_put_when(b, t, &cd->when);
        fu__buf_puts(b, ":");
        for (size_t k = 0; k < cd->n_steps; k++) {
            const fu__pol_step *st = &cd->steps[k];
            fu__buf_printf(b, "%s %s at ", k ? ";" : "", st->name);
            fu__pol_put_dur(b, &st->at);
            fu__buf_puts(b, " within ");
            fu__pol_put_dur(b, &st->within);
            fu__buf_printf(b, " (%s)", fu__pol_channel_names[st->channel]);
        }
        fu__buf_puts(b, "\n");
    }
}
