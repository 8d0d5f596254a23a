/* Sections `caps` and `quiet_hours`: how often and when a customer may be
 * contacted. Read by the planner and the contact guard (lib/guard.c). */
#include "policy_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fu__pol_build_caps(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    static const char *const caps_keys[] = {"min_gap", "exempt", "limits", NULL};
    static const char *const lim_keys[] = {"max", "per", "scope", "channels", "priorities", "when", NULL};
    static const char *const scope_names[] = {"customer", "order", "survey", NULL};
    const ynode *caps, *lims = NULL;
    int rc = fu__pol_field(c, root, "caps", 1, &caps);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "caps");
    rc = fu__pol_check_keys(c, caps, caps_keys);
    if (!rc) rc = fu__pol_rd_dur(c, caps, "min_gap", 1, DUR_WALL | DUR_ZERO, &t->min_gap);
    if (!rc) rc = fu__pol_rd_mask(c, caps, "exempt", "priority", fu__pol_priority_names, FU__PRIO_COUNT, &t->cap_exempt);
    if (!rc) rc = fu__pol_field(c, caps, "limits", 1, &lims);
    if (!rc) {
        size_t o2 = fu__pol_path_push(c, "limits");
        rc = fu__pol_want_map(c, lims);
        fu__pol_cap *cv = rc ? NULL : fu__pol_arena_calloc(c->a, lims->n ? lims->n : 1, sizeof *cv);
        if (!rc && !cv) rc = fu__error_nomem();
        for (size_t i = 0; i < (rc ? 0 : lims->n); i++) {
            fu__pol_cap *cp = &cv[i];
            const ynode *e = lims->ents[i].val;
            int scope = 0;
            size_t o3 = fu__pol_path_push(c, lims->ents[i].key->text);
            cp->name = lims->ents[i].key->text;
            cp->rule = fu__pol_rule_name(c, "caps", cp->name, NULL);
            if (!cp->rule) rc = fu__error_nomem();
            if (!rc) rc = fu__pol_check_keys(c, e, lim_keys);
            if (!rc) rc = fu__pol_rd_int(c, e, "max", 1, 1, 10000, &cp->max);
            if (!rc) rc = fu__pol_rd_dur(c, e, "per", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS, &cp->per);
            if (!rc) rc = fu__pol_rd_enum(c, e, "scope", 0, "scope", scope_names, &scope);
            if (!rc) rc = fu__pol_rd_mask(c, e, "channels", "channel", fu__pol_channel_names, FU__CH_COUNT, &cp->channels);
            if (!rc) rc = fu__pol_rd_mask(c, e, "priorities", "priority", fu__pol_priority_names, FU__PRIO_COUNT, &cp->priorities);
            if (!rc) rc = fu__pol_rd_when(b, e, "when", &cp->when);
            cp->scope = (fu__pol_scope)scope;
            fu__pol_path_pop(c, o3);
            if (rc) break;
        }
        if (!rc) {
            t->caps = cv;
            t->n_caps = lims->n;
        }
        fu__pol_path_pop(c, o2);
    }
    fu__pol_path_pop(c, old);
    return rc;
}

int fu__pol_build_quiet_hours(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__policy *t = &c->p->t;
    static const char *const q_keys[] = {"allowed", "exempt", "on_holidays", NULL};
    const ynode *q, *al = NULL;
    int rc = fu__pol_field(c, root, "quiet_hours", 1, &q);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "quiet_hours");
    rc = fu__pol_check_keys(c, q, q_keys);
    if (!rc) rc = fu__pol_rd_mask(c, q, "exempt", "priority", fu__pol_priority_names, FU__PRIO_COUNT, &t->quiet_exempt);
    if (!rc) rc = fu__pol_rd_mask(c, q, "on_holidays", "priority", fu__pol_priority_names, FU__PRIO_COUNT, &t->quiet_holidays);
    if (!rc) rc = fu__pol_field(c, q, "allowed", 1, &al);
    if (!rc) {
        size_t o2 = fu__pol_path_push(c, "allowed");
        rc = fu__pol_want_scalar(c, al, "windows like 'Mon-Sun 08:00-21:00'");
        owned *o = NULL;
        if (!rc) rc = fu__pol_register_owned(c, 1, &o);
        if (!rc) {
            fu_windows *w = NULL;
            rc = fu_windows_parse(al->text, al->len, &w);
            if (rc == FU_OK) {
                o->ptr = w;
                t->quiet_allowed = w;
                if (fu_windows_is_empty(w)) rc = fu__pol_verr(c, al, FU_EPOLICY, "no time of the week is allowed");
            } else if (rc != FU_ENOMEM) {
                char msg[300];
                unsigned long col = fu_error_last()->column;
                snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
                unsigned long ecol = al->col;
                if (al->single_line && col) ecol = al->col + (al->plain ? 0 : 1) + col - 1;
                rc = fu__error_set_at(FU_EPOLICY, al->src, al->line, ecol, c->path,
                                      "bad windows '%.60s': %s", al->text, msg);
            }
        }
        fu__pol_path_pop(c, o2);
    }
    fu__pol_path_pop(c, old);
    return rc;
}


void fu__pol_summary_caps(fu__buf *b, const fu__policy *t) {
    fu__buf_puts(b, "caps: min gap ");
    fu__pol_put_dur(b, &t->min_gap);
    fu__buf_puts(b, ", exempt ");
    fu__pol_put_mask(b, t->cap_exempt, fu__pol_priority_names, FU__PRIO_COUNT);
    fu__buf_puts(b, "\n");
    for (size_t i = 0; i < t->n_caps; i++) {
        fu__buf_printf(b, "  %s: at most %d per ", t->caps[i].name, t->caps[i].max);
        fu__pol_put_dur(b, &t->caps[i].per);
        if (t->caps[i].scope == FU__SCOPE_ORDER) fu__buf_puts(b, " per order");
        if (t->caps[i].channels) { fu__buf_puts(b, " channel="); fu__pol_put_mask(b, t->caps[i].channels, fu__pol_channel_names, FU__CH_COUNT); }
        fu__pol_put_when(b, t, &t->caps[i].when);
        fu__buf_puts(b, "\n");
    }
}

void fu__pol_summary_quiet_hours(fu__buf *b, const fu__policy *t) {
    fu__buf_puts(b, "quiet hours: contacts allowed ");
    {
        const fu_windows *w = t->quiet_allowed;
        size_t nw = fu_windows_count(w);
        static const char *const dn[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        fu_window_span ws[14];
        size_t ns = 0;
        for (size_t i = 0; i < nw && ns < 14; i++)
            if (fu_windows_get(w, i, &ws[ns]) == FU_OK) ns++;
        int daily = ns == 7;
        for (size_t i = 0; daily && i < ns; i++)
            daily = ws[i].start % 1440 == ws[0].start % 1440 && ws[i].end - ws[i].start == ws[0].end - ws[0].start &&
                    ws[i].end - ws[i].start < 1440;
        for (size_t i = 0; i < (daily ? 1 : ns); i++) {
            char s1[8], s2[8];
            fu__pol_fmt_hhmm(ws[i].start % 1440, s1);
            fu__pol_fmt_hhmm((ws[i].end - (ws[i].start / 1440) * 1440) % 1441, s2);
            fu__buf_printf(b, "%s%s %s-%s", i ? ", " : "", daily ? "daily" : dn[(ws[i].start / 1440) % 7], s1, s2);
        }
        if (nw > 14) fu__buf_puts(b, ", ...");
    }
    fu__buf_puts(b, " local time\n");
}
