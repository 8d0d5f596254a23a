/* Fuzz the YAML policy loader, standalone and extending the built-in policy. */
#include "followup.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fu_policy_load_options opts = FU_POLICY_LOAD_OPTIONS_INIT;
    fu_policy *p = NULL;
    opts.flags = (size && (data[0] & 1)) ? FU_POLICY_STANDALONE : 0;
    int rc = fu_policy_load_string(&p, (const char *)data, size, "<fuzz>", &opts);
    if (rc == FU_OK) {
        char *summary = NULL;
        if (fu_policy_summary(p, NULL, &summary) == FU_OK) fu_free(summary);
        fu_policy_free(p);
    } else {
        /* a failure always carries a message */
        const fu_error *e = fu_error_last();
        if (e->code != rc || e->message[0] == '\0') __builtin_trap();
    }
    return 0;
}
