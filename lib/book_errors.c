/* The errors of the book's API adds (book_errors.h): out of lib/book.c,
 * which keeps its size. */
#include "book_errors.h"

#include "book_internal.h"
#include "errtext.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

int fu__book_event_field_error(int rc, const char *customer_id, int field) {
    /* the events CSV's column names (docs/formats.md) */
    static const char *const names[EF_COUNT] = {
        [EF_CUST] = "customer_id", [EF_AT] = "at",           [EF_KIND] = "kind",       [EF_ORDER] = "order_id",
        [EF_PCLASS] = "product_class", [EF_UNIT] = "unit_price", [EF_AMOUNT] = "amount", [EF_SEV] = "severity",
        [EF_CHAN] = "channel",     [EF_AGENT] = "agent_id",   [EF_OUTCOME] = "outcome", [EF_SCORE] = "score",
        [EF_SURVEY] = "survey",    [EF_NOTE] = "note",        [EF_PRIO] = "priority",
    };
    if (rc == FU_OK || rc == FU_ENOMEM || field < 0 || field >= EF_COUNT) return rc;
    char msg[1024]; /* fu__error_set() may format the error's own message */
    snprintf(msg, sizeof msg, "%s", fu_error_last()->message);
    if (field == EF_CUST || !customer_id) return fu__error_set(rc, "%s", msg); /* no source: "event customer_id: ..." */
    char q[FU_ERRTEXT_CELL_CAP];
    fu__errtext_cell_str(q, sizeof q, customer_id);
    size_t n = strlen(names[field]);
    if (strncmp(msg, names[field], n) == 0 && msg[n] == ':') /* "note: invalid UTF-8 ..." names it already */
        return fu__error_set(rc, "event of customer '%s': %s", q, msg);
    return fu__error_set(rc, "event of customer '%s': %s: %s", q, names[field], msg);
}
