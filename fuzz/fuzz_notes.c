/* Fuzz promise extraction and personal-data masking over free-text notes. */
#include "followup.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fu_policy *policy;
static fu_extractor *extractor;
static fu_extractor *builtin; /* the built-in patterns, with a min_lead rule */
static fu_redactor *redactor;

static void setup(void) {
    if (policy) return;
    if (fu_policy_default(&policy) != FU_OK) __builtin_trap();
    if (fu_extractor_new_from_policy(&extractor, policy) != FU_OK) __builtin_trap();
    if (fu_redactor_new(&redactor, NULL) != FU_OK) __builtin_trap();
    fu_extract_options o = FU_EXTRACT_OPTIONS_INIT;
    o.min_lead_seconds = 4 * 3600;
    if (fu_extractor_new(&builtin, &o) != FU_OK) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    const char *note = (const char *)data;
    fu_extraction *x = NULL;
    /* 2025-09-26T16:00:00+08:00 */
    if (fu_extractor_run(extractor, fu_policy_calendar(policy, NULL), note, size, 1758873600, &x) ==
        FU_OK) {
        for (size_t i = 0; i < fu_extraction_promise_count(x); i++) {
            const fu_promise *p = fu_extraction_promise(x, i);
            if (p == NULL) __builtin_trap();
        }
        fu_extraction_free(x);
    }
    /* Ill-formed UTF-8 is read around: spans stay inside the note. */
    if (fu_extractor_run(builtin, fu_policy_calendar(policy, NULL), note, size, 1758873600, &x) == FU_OK) {
        for (size_t i = 0; i < fu_extraction_promise_count(x); i++) {
            const fu_promise *p = fu_extraction_promise(x, i);
            if (p->start >= p->end || p->end > size) __builtin_trap();
        }
        for (size_t i = 0; i < fu_extraction_risk_count(x); i++) {
            const fu_risk *r = fu_extraction_risk(x, i);
            if (r->start > r->end || r->end > size) __builtin_trap();
        }
        fu_extraction_free(x);
    }
    char *masked = NULL;
    size_t mlen = 0;
    if (fu_redactor_apply(redactor, note, size, &mlen, &masked) == FU_OK) {
        if (masked == NULL || strlen(masked) > mlen) __builtin_trap();
        fu_free(masked);
    }
    return 0;
}
