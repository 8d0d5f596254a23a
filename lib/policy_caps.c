/* Sections `caps` and `quiet_hours`: how often and when a customer may be
 * contacted. Read by the planner and the contact guard (lib/guard.c). */
#include "policy_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const scope_names[] = {"customer", "order", "survey", NULL};
static const char *const counts_names[] = {"attempts", "reached", NULL};
static const fu__pol_key limit_rows[] = {
    FU__KEY_INT(fu__pol_cap, max, "max", 1, 1, 10000),
    FU__KEY_DUR(fu__pol_cap, per, "per", 1, DUR_WALL | DUR_MONTHS | DUR_WORKDAYS),
    FU__KEY_ENUM(fu__pol_cap, scope, "scope", 0, "scope", scope_names),
    FU__KEY_MASK(fu__pol_cap, channels, "channels", "channel", fu__pol_channel_names),
    FU__KEY_MASK(fu__pol_cap, priorities, "priorities", "priority", fu__pol_priority_names),
    FU__KEY_WHEN(fu__pol_cap, when, "when"),
    FU__KEY_ENUM(fu__pol_cap, counts, "counts", 0, "counts", counts_names),
    FU__KEY_BOOL(fu__pol_cap, holds_exempt, "holds_exempt", 0),
    FU__KEY_DUR(fu__pol_cap, tenure_under, "tenure_under", 0, DUR_WALL | DUR_MONTHS),
};
static const fu__pol_keys limit_keys = FU__KEYS(limit_rows, NULL, NULL);

static const fu__pol_entries limit_entries = {sizeof(fu__pol_cap), "caps", &limit_keys, NULL};

static const fu__pol_key caps_rows[] = {
    FU__KEY_DUR(fu__policy, min_gap, "min_gap", 1, DUR_WALL | DUR_ZERO),
    FU__KEY_MASK(fu__policy, cap_exempt, "exempt", "priority", fu__pol_priority_names),
    FU__KEY_LIST(fu__policy, caps, n_caps, "limits", 1, &limit_entries),
};
static const fu__pol_keys caps_keys = FU__KEYS(caps_rows, NULL, NULL);

int fu__pol_build_caps(bctx *b, const ynode *root) {
    return fu__pol_read_map(b, root, "caps", 1, &caps_keys, &b->c->p->t);
}

static int read_allowed(bctx *b, const fu__pol_key *k, const ynode *al, void *base) {
    vctx *c = b->c;
    fu__policy *t = base;
    (void)k;
    int rc;
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
    return rc;
}

static const char *const quiet_allowed[] = {"allowed", "exempt", "on_holidays", NULL};
static const fu__pol_key quiet_rows[] = {
    FU__KEY_MASK(fu__policy, quiet_exempt, "exempt", "priority", fu__pol_priority_names),
    FU__KEY_MASK(fu__policy, quiet_holidays, "on_holidays", "priority", fu__pol_priority_names),
    FU__KEY_FN("allowed", 1, read_allowed),
};
static const fu__pol_keys quiet_keys = FU__KEYS(quiet_rows, quiet_allowed, NULL);

int fu__pol_build_quiet_hours(bctx *b, const ynode *root) {
    return fu__pol_read_map(b, root, "quiet_hours", 1, &quiet_keys, &b->c->p->t);
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
        if (t->caps[i].counts) fu__buf_puts(b, " (reached contacts)");
        if (t->caps[i].channels) { fu__buf_puts(b, " channel="); fu__pol_put_mask(b, t->caps[i].channels, fu__pol_channel_names, FU__CH_COUNT); }
        fu__pol_put_when(b, t, &t->caps[i].when);
        if (t->caps[i].tenure_under.value > 0) {
            fu__buf_puts(b, " customers of less than ");
            fu__pol_put_dur(b, &t->caps[i].tenure_under);
        }
        if (t->caps[i].holds_exempt) fu__buf_puts(b, " (exempt priorities too)");
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
