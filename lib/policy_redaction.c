/* Section `redaction`: built-in maskers and extra patterns. Read by
 * lib/redact.c. */
#include "policy_core.h"

#include <string.h>

int fu__pol_build_redaction(bctx *b, const ynode *root) {
    vctx *c = b->c;
    fu__pol_redaction *r = &c->p->t.redaction;
    static const char *const r_keys[] = {"enabled", "builtin", "extra", NULL};
    static const char *const b_keys[] = {"phone", "id_number", "bank_card", "email", NULL};
    const ynode *n, *bn = NULL;
    int rc = fu__pol_field(c, root, "redaction", 1, &n);
    if (rc) return rc;
    size_t old = fu__pol_path_push(c, "redaction");
    r->enabled = r->phone = r->id_number = r->bank_card = r->email = 1;
    rc = fu__pol_check_keys(c, n, r_keys);
    if (!rc) rc = fu__pol_rd_bool(c, n, "enabled", 0, &r->enabled);
    if (!rc) rc = fu__pol_field(c, n, "builtin", 0, &bn);
    if (!rc && bn) {
        size_t o2 = fu__pol_path_push(c, "builtin");
        rc = fu__pol_check_keys(c, bn, b_keys);
        if (!rc) rc = fu__pol_rd_bool(c, bn, "phone", 0, &r->phone);
        if (!rc) rc = fu__pol_rd_bool(c, bn, "id_number", 0, &r->id_number);
        if (!rc) rc = fu__pol_rd_bool(c, bn, "bank_card", 0, &r->bank_card);
        if (!rc) rc = fu__pol_rd_bool(c, bn, "email", 0, &r->email);
        fu__pol_path_pop(c, o2);
    }
    if (!rc) rc = fu__pol_build_patterns(c, n, "extra", "redaction.extra", PAT_REPLACEMENT, &r->extra, &r->n_extra);
    fu__pol_path_pop(c, old);
    return rc;
}


void fu__pol_summary_redaction(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "redaction: %s, %zu extra patterns\n", t->redaction.enabled ? "on" : "off", t->redaction.n_extra);
}
