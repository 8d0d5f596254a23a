/* Section `redaction`: built-in maskers and extra patterns. Read by
 * lib/redact.c. */
#include "policy_core.h"

#include <string.h>

static const fu__pol_key builtin_rows[] = {
    FU__KEY_BOOL_DEF(fu__pol_redaction, phone, "phone", 0, 1),
    FU__KEY_BOOL_DEF(fu__pol_redaction, id_number, "id_number", 0, 1),
    FU__KEY_BOOL_DEF(fu__pol_redaction, bank_card, "bank_card", 0, 1),
    FU__KEY_BOOL_DEF(fu__pol_redaction, email, "email", 0, 1),
};
static const fu__pol_keys builtin_keys = FU__KEYS(builtin_rows, NULL, NULL);
static const fu__pol_key redaction_rows[] = {
    FU__KEY_BOOL_DEF(fu__pol_redaction, enabled, "enabled", 0, 1),
    FU__KEY_MAP("builtin", 0, &builtin_keys),
    FU__KEY_BOOL_DEF(fu__pol_redaction, cjk_numerals, "cjk_numerals", 0, 0),
    FU__KEY_LIST(fu__pol_redaction, extra, n_extra, "extra", 0, &fu__pol_pattern_entries[PAT_REPLACEMENT]),
};
static const fu__pol_keys redaction_keys = FU__KEYS(redaction_rows, NULL, NULL);

int fu__pol_build_redaction(bctx *b, const ynode *root) {
    return fu__pol_read_map(b, root, "redaction", 1, &redaction_keys, &b->c->p->t.redaction);
}


void fu__pol_summary_redaction(fu__buf *b, const fu__policy *t) {
    fu__buf_printf(b, "redaction: %s, %zu extra patterns%s\n", t->redaction.enabled ? "on" : "off", t->redaction.n_extra,
                   t->redaction.enabled && t->redaction.cjk_numerals ? ", phone numbers in Chinese numerals" : "");
}

const fu__pol_redaction *fu__policy_redaction(const fu_policy *p) { return p ? &p->t.redaction : NULL; }
