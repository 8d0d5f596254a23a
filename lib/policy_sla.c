/* Section `sla`: response times by severity, value tier and regulation.
 * Read by the planner and the KPIs (response timeliness). */
#include "policy_core.h"

#include <stdio.h>
#include <string.h>

static int build_sla_map(bctx *b, const ynode *sla, const char *key, int tiers_only, const fu__pol_sla **out,
                         size_t *count) {
    vctx *c = b->c;
    const ynode *m;
    int rc = fu__pol_field(c, sla, key, 1, &m);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, key);
    rc = fu__pol_want_map(c, m);
    fu__pol_sla *v = rc ? NULL : fu__arena_calloc(c->a, m->n ? m->n : 1, sizeof *v);
    if (!rc && !v) rc = fu__error_nomem();
    for (size_t i = 0; i < (rc ? 0 : m->n); i++) {
        const char *name = m->ents[i].key->text;
        if (tiers_only && (rc = fu__pol_tier_key(b, m, i))) break;
        v[i].name = name;
        v[i].rule = fu__pol_rule_name(c, "sla", key, name);
        if (!v[i].rule) rc = fu__error_nomem();
        if (!rc) rc = fu__pol_rd_dur(c, m, name, 1, DUR_WALL | DUR_BUSINESS | DUR_WORKDAYS, &v[i].d);
        if (rc) break;
    }
    if (!rc) {
        *out = v;
        *count = m->n;
    }
    fu__pol_path_pop(c, old);
    return rc;
}

int fu__pol_build_sla(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    static const char *const sla_keys[] = {"response", "tier_response", "regulatory", NULL};
    const ynode *n;
    int rc = fu__pol_field(c, root, "sla", 1, &n);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "sla");
    rc = fu__pol_check_keys(c, n, sla_keys);
    if (!rc) rc = build_sla_map(b, n, "response", 0, &t->sla_response, &t->n_sla_response);
    if (!rc) rc = build_sla_map(b, n, "tier_response", 1, &t->sla_tier, &t->n_sla_tier);
    if (!rc) rc = build_sla_map(b, n, "regulatory", 0, &t->sla_regulatory, &t->n_sla_regulatory);
    fu__pol_path_pop(c, old);
    return rc;
}


void fu__pol_summary_sla(fu__buf *b, const fu__policy *t) {
    fu__buf_puts(b, "sla:");
    const fu__pol_sla *sl[3] = {t->sla_response, t->sla_tier, t->sla_regulatory};
    size_t sn[3] = {t->n_sla_response, t->n_sla_tier, t->n_sla_regulatory};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < sn[k]; i++) {
            fu__buf_printf(b, " %s ", sl[k][i].name);
            fu__pol_put_dur(b, &sl[k][i].d);
            fu__buf_puts(b, ";");
        }
    fu__buf_puts(b, "\n");
}
