/* The names of the book's enums and their parsers, and the `_init` of the
 * customer and event input records (split from book.c). */
#include "book_internal.h"
#include "errtext.h"
#include "followup/book.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ====================================================== enum names */

static const char *const TRI_NAMES[] = {"", "yes", "no"};
static const char *const KIND_NAMES[FU_EVENT_KIND_COUNT] = {
    "purchase", "delivery",   "installation", "repair",       "fault",
    "complaint", "inquiry",   "feedback",     "contact",      "survey",
    "enrollment", "course_start", "course_end", "warranty_end", "resolved"};
static const char *const SEVERITY_NAMES[] = {"", "urgent", "normal", "low"};
static const char *const CHANNEL_NAMES[FU_CHANNEL_COUNT] = {"",     "phone", "sms", "email",
                                                            "chat", "video", "visit"};
static const char *const OUTCOME_NAMES[] = {"",     "answered",     "no_answer",         "refused",
                                            "voicemail", "busy", "wrong_number", "callback_requested"};
static const char *const SURVEY_NAMES[] = {"", "csat", "nps", "ces"};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

int fu__book_ascii_ieq(const char *a, size_t alen, const char *b) {
    size_t blen = strlen(b);
    if (alen != blen) return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (x != y) return 0;
    }
    return 1;
}

/* Look `text` up in `names`; index 0 ("" or the first name) included. */
static int enum_lookup(const char *what, const char *const *names, size_t n, size_t first,
                       const char *text, size_t len, int *out) {
    if (!text && len) return fu__error_set(FU_EINVAL, "%s text is NULL", what);
    for (size_t i = 0; i < n; i++) {
        if (fu__book_ascii_ieq(text ? text : "", len, names[i])) {
            *out = (int)i;
            return FU_OK;
        }
    }
    char expect[256];
    size_t at = 0;
    expect[0] = '\0';
    for (size_t i = first; i < n && at < sizeof expect; i++)
        at += (size_t)snprintf(expect + at, sizeof expect - at, "%s%s", i > first ? ", " : "", names[i]);
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_EPARSE, "unknown %s '%s' (expected %s)", what, fu__errtext_cell(q, sizeof q, text, len),
                         expect);
}

static const char *enum_name(const char *const *names, size_t n, int v) {
    return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

const char *fu_tristate_name(fu_tristate v) { return enum_name(TRI_NAMES, COUNT_OF(TRI_NAMES), v); }
const char *fu_event_kind_name(fu_event_kind v) { return enum_name(KIND_NAMES, COUNT_OF(KIND_NAMES), v); }
const char *fu_severity_name(fu_severity v) { return enum_name(SEVERITY_NAMES, COUNT_OF(SEVERITY_NAMES), v); }
const char *fu_channel_name(fu_channel v) { return enum_name(CHANNEL_NAMES, COUNT_OF(CHANNEL_NAMES), v); }
const char *fu_outcome_name(fu_outcome v) { return enum_name(OUTCOME_NAMES, COUNT_OF(OUTCOME_NAMES), v); }
const char *fu_survey_name(fu_survey v) { return enum_name(SURVEY_NAMES, COUNT_OF(SURVEY_NAMES), v); }

int fu_tristate_from_string(const char *text, size_t len, fu_tristate *out) {
    static const char *const yes[] = {"yes", "y", "true", "1"};
    static const char *const no[] = {"no", "n", "false", "0"};
    if (!out || (!text && len)) return fu__error_set(FU_EINVAL, "tri-state text is NULL");
    if (len == 0 || fu__book_ascii_ieq(text, len, "unknown")) {
        *out = FU_TRI_UNKNOWN;
        return FU_OK;
    }
    for (size_t i = 0; i < COUNT_OF(yes); i++) {
        if (fu__book_ascii_ieq(text, len, yes[i])) {
            *out = FU_TRI_YES;
            return FU_OK;
        }
        if (fu__book_ascii_ieq(text, len, no[i])) {
            *out = FU_TRI_NO;
            return FU_OK;
        }
    }
    char q[FU_ERRTEXT_CELL_CAP];
    return fu__error_set(FU_EPARSE, "expected yes, no or unknown, got '%s'", fu__errtext_cell(q, sizeof q, text, len));
}

#define ENUM_FROM_STRING(fn, type, what, names, first)                           \
    int fn(const char *text, size_t len, type *out) {                            \
        int v = 0;                                                               \
        if (!out) return fu__error_set(FU_EINVAL, "out is NULL");                \
        int rc = enum_lookup(what, names, COUNT_OF(names), first, text, len, &v); \
        if (rc == FU_OK) *out = (type)v;                                         \
        return rc;                                                               \
    }

ENUM_FROM_STRING(fu_severity_from_string, fu_severity, "severity", SEVERITY_NAMES, 1)
ENUM_FROM_STRING(fu_channel_from_string, fu_channel, "channel", CHANNEL_NAMES, 1)
ENUM_FROM_STRING(fu_outcome_from_string, fu_outcome, "outcome", OUTCOME_NAMES, 1)
ENUM_FROM_STRING(fu_survey_from_string, fu_survey, "survey", SURVEY_NAMES, 1)

int fu_event_kind_from_string(const char *text, size_t len, fu_event_kind *out) {
    int v = 0;
    if (!out) return fu__error_set(FU_EINVAL, "out is NULL");
    if (len == 0) return fu__error_set(FU_EPARSE, "empty event kind");
    int rc = enum_lookup("event kind", KIND_NAMES, COUNT_OF(KIND_NAMES), 0, text, len, &v);
    if (rc == FU_OK) *out = (fu_event_kind)v;
    return rc;
}

void fu_customer_init(fu_customer *c) {
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->annual_spend = NAN;
    c->first_purchase_at = FU_BOOK_NO_TIME;
}

void fu_event_in_init(fu_event_in *ev) {
    if (ev) fu__event_in_reset(ev);
}
