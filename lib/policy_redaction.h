/* The typed `redaction` section (built by policy_redaction.c), for
 * lib/redact.c. */
#ifndef FU_POLICY_REDACTION_H
#define FU_POLICY_REDACTION_H

#include "policy_patterns.h"

typedef struct fu__pol_redaction {
    int enabled;
    int phone, id_number, bank_card, email; /* built-in maskers switched on */
    int cjk_numerals; /* numbers written in Chinese numerals too (FU_REDACT_CJK_NUMERALS) */
    const fu__pol_pattern *extra; size_t n_extra; /* reason = replacement text */
} fu__pol_redaction;

/* The typed `redaction` section of a loaded policy (borrowed); NULL for NULL. */
const fu__pol_redaction *fu__policy_redaction(const fu_policy *p);

#endif /* FU_POLICY_REDACTION_H */
