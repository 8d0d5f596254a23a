/* Section `suppressions`: periods without routine contacts (a recent
 * complaint, ahead of holidays, month end). Read by the planner and best time. */
#include "policy_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_month_day(const char *s, int *out) {
    int m, d;
    char tail;
    if (strlen(s) != 5 || sscanf(s, "%2d-%2d%c", &m, &d, &tail) != 2 || s[2] != '-') return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
    *out = m * 100 + d;
    return 0;
}

static const char *const s_keys[] = {"event", "within", "dates", "before", "last_days", "when", "action", NULL};

static int read_suppression(bctx *b, const char *name, const ynode *e, void *elem) {
    vctx *c = b->c;
    fu__pol_suppression *s = elem;
    (void)name;
    int rc = fu__pol_check_keys(c, e, s_keys);
    if (!rc) {
        int k_recent = fu__pol_map_get(e, "within") || fu__pol_map_get(e, "event");
        int k_dates = fu__pol_map_get(e, "dates") || fu__pol_map_get(e, "before");
        int k_month = fu__pol_map_get(e, "last_days") != NULL;
        if (k_recent + k_dates + k_month != 1)
            rc = fu__pol_verr(c, e, FU_EPOLICY, "give one of 'event' + 'within', 'dates' + 'before', or 'last_days'");
        else if (k_recent) {
            s->kind = FU__SUPP_RECENT_EVENT;
            rc = fu__pol_rd_str(c, e, "event", 1, &s->event);
            if (!rc) rc = fu__pol_rd_dur(c, e, "within", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &s->within);
        } else if (k_dates) {
            const ynode *dn = NULL;
            s->kind = FU__SUPP_DATES;
            rc = fu__pol_rd_dur(c, e, "before", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &s->before);
            if (!rc) rc = fu__pol_field(c, e, "dates", 1, &dn);
            if (!rc) {
                size_t o3 = fu__pol_path_push(c, "dates");
                fu__pol_strs ds;
                int *md = fu__pol_strs_array(c, dn, &ds, sizeof *md, &rc);
                for (size_t k = 0; k < (rc ? 0 : ds.n); k++) {
                    if (parse_month_day(ds.v[k], &md[k]) != 0) {
                        size_t o4 = dn->kind == YN_SEQ ? fu__pol_path_push_idx(c, k) : c->plen;
                        rc = fu__pol_verr(c, dn->kind == YN_SEQ ? dn->items[k] : dn, FU_EPOLICY,
                                  "expected a month and day like 11-11, got '%.40s'", ds.v[k]);
                        fu__pol_path_pop(c, o4);
                    }
                }
                if (!rc) {
                    s->month_days = md;
                    s->n_month_days = ds.n;
                }
                fu__pol_path_pop(c, o3);
            }
        } else {
            s->kind = FU__SUPP_MONTH_END;
            rc = fu__pol_rd_int(c, e, "last_days", 1, 1, 28, &s->last_days);
        }
    }
    int act = 0;
    if (!rc) rc = fu__pol_rd_enum(c, e, "action", 1, "action", fu__pol_action_names, &act);
    s->action = (fu__pol_action)act;
    if (!rc) rc = fu__pol_rd_when(b, e, "when", &s->when);
    return rc;
}

static const fu__pol_entries suppression_entries = {sizeof(fu__pol_suppression), "suppressions", NULL,
                                                    read_suppression};

int fu__pol_build_suppressions(bctx *b, const ynode *root) {
    fu__policy *t = &b->c->p->t;
    void *v = NULL;
    int rc = fu__pol_read_named(b, root, "suppressions", 1, &suppression_entries, &v, &t->n_suppressions);
    t->suppressions = v;
    return rc;
}


void fu__pol_summary_suppressions(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "suppressions: %zu\n", t->n_suppressions);
    for (size_t i = 0; i < t->n_suppressions; i++) {
        const fu__pol_suppression *sp = &t->suppressions[i];
        fu__buf_printf(b, "  %s: %s", sp->name, fu__pol_action_names[sp->action]);
        if (sp->kind == FU__SUPP_RECENT_EVENT) {
            fu__buf_printf(b, " after %s within ", sp->event);
            fu__pol_put_dur(b, &sp->within);
        } else if (sp->kind == FU__SUPP_DATES) {
            fu__buf_puts(b, " ");
            fu__pol_put_dur(b, &sp->before);
            fu__buf_puts(b, " before");
            for (size_t k = 0; k < sp->n_month_days; k++)
                fu__buf_printf(b, " %02d-%02d", sp->month_days[k] / 100, sp->month_days[k] % 100);
        } else {
            fu__buf_printf(b, " in the last %d days of a month", sp->last_days);
        }
        fu__pol_put_when(b, t, &sp->when);
        fu__buf_puts(b, "\n");
    }
}
