/* The three-letter time zone ids that ICU accepts for compatibility with old
 * Java code but that are no IANA ids, each with the zone ICU gives it and the
 * zones people usually mean by it. "CST" in a Chinese CRM export means China
 * Standard Time, while ICU reads it as America/Chicago: such an id is refused
 * with the candidates named, never read silently. (EST, MST and HST are IANA
 * ids, fixed offsets, and stay accepted.) */
#include "internal.h"

#include <string.h>

typedef struct {
    const char *id;
    const char *means; /* the IANA ids a reader should choose from */
} legacy_id;

static const legacy_id LEGACY[] = {
    {"ACT", "Australia/Darwin"},
    {"AET", "Australia/Sydney"},
    {"AGT", "America/Argentina/Buenos_Aires"},
    {"ART", "Africa/Cairo"},
    {"AST", "America/Anchorage or America/Halifax"},
    {"BET", "America/Sao_Paulo"},
    {"BST", "Europe/London or Asia/Dhaka"},
    {"CAT", "Africa/Harare"},
    {"CNT", "America/St_Johns"},
    {"CST", "Asia/Shanghai (China) or America/Chicago (US Central)"},
    {"CTT", "Asia/Shanghai"},
    {"EAT", "Africa/Addis_Ababa"},
    {"ECT", "Europe/Paris"},
    {"IET", "America/Indiana/Indianapolis"},
    {"IST", "Asia/Kolkata, Asia/Jerusalem or Europe/Dublin"},
    {"JST", "Asia/Tokyo"},
    {"MIT", "Pacific/Apia"},
    {"NET", "Asia/Yerevan"},
    {"NST", "Pacific/Auckland or America/St_Johns"},
    {"PLT", "Asia/Karachi"},
    {"PNT", "America/Phoenix"},
    {"PRT", "America/Puerto_Rico"},
    {"PST", "America/Los_Angeles"},
    {"SST", "Pacific/Guadalcanal or Pacific/Pago_Pago"},
    {"VST", "Asia/Ho_Chi_Minh"},
};

int fu__tz_refuse_legacy(const char *tzid) {
    if (strlen(tzid) != 3) return FU_OK;
    for (size_t i = 0; i < sizeof LEGACY / sizeof LEGACY[0]; i++)
        if (strcmp(tzid, LEGACY[i].id) == 0)
            return fu__error_set(FU_ETIMEZONE,
                                 "ambiguous time zone '%s' (an old three-letter alias, not an IANA id): "
                                 "write the IANA id, e.g. %s",
                                 tzid, LEGACY[i].means);
    return FU_OK;
}
