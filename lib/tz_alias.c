/* The three-letter time zone ids that ICU accepts for compatibility with old
 * Java code but that are no IANA ids, each with the zone ICU gives it and the
 * zones people usually mean by it. "CST" in a Chinese CRM export means China
 * Standard Time, while ICU reads it as America/Chicago: such an id is refused
 * with the candidates named, never read silently. (EST, MST and HST are IANA
 * ids, fixed offsets, and stay accepted.) So is "Etc/GMT+8", which people
 * write for China and which means UTC-08:00, and the "Asia/Beijing" that
 * does not exist. */
#include "errtext.h"
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

/* "Etc/GMT+8" with the POSIX sign: the offset it denotes, in
 * hours east of UTC, or 0 when tzid is no such id (or offset 0). */
static int posix_gmt_hours(const char *tzid) {
    if (strncmp(tzid, "Etc/", 4) != 0) return 0; /* a bare GMT+8 is ICU's custom id: unknown, refused later */
    const char *p = tzid + 4;
    if (strncmp(p, "GMT", 3) != 0 || (p[3] != '+' && p[3] != '-')) return 0;
    int hours = 0;
    const char *d = p + 4;
    if (*d < '0' || *d > '9') return 0;
    while (*d >= '0' && *d <= '9' && hours < 100) hours = hours * 10 + (*d++ - '0');
    if (*d) return 0;
    return p[3] == '+' ? -hours : hours;
}

int fu__tz_refuse_legacy(const char *tzid) {
    int east = posix_gmt_hours(tzid);
    char q[FU_ERRTEXT_CELL_CAP]; /* the id as echoed (review s9 F2) */
    if (east)
        return fu__error_set(FU_ETIMEZONE,
                             "misleading time zone '%s': it means UTC%c%02d:00 (the POSIX sign, inverted: GMT+N "
                             "lies west of Greenwich), which a customer file hardly ever means: write the "
                             "city's IANA id, e.g. %s",
                             fu__errtext_cell_str(q, sizeof q, tzid), east < 0 ? '-' : '+', east < 0 ? -east : east,
                             east == -8 ? "Asia/Shanghai for UTC+08:00 (China)"
                                        : "Asia/Shanghai (UTC+08:00) or America/Los_Angeles");
    if (strcmp(tzid, "Asia/Beijing") == 0)
        return fu__error_set(FU_ETIMEZONE, "unknown time zone 'Asia/Beijing' (not an IANA id): China's zone is "
                                           "Asia/Shanghai");
    if (strlen(tzid) != 3) return FU_OK;
    for (size_t i = 0; i < sizeof LEGACY / sizeof LEGACY[0]; i++)
        if (strcmp(tzid, LEGACY[i].id) == 0)
            return fu__error_set(FU_ETIMEZONE,
                                 "ambiguous time zone '%s' (an old three-letter alias, not an IANA id): "
                                 "write the IANA id, e.g. %s",
                                 fu__errtext_cell_str(q, sizeof q, tzid), LEGACY[i].means);
    return FU_OK;
}
