/* Compiled by tests/abi/event_priority.cmake (ctest abi.event_priority_type),
 * never built into a program: fu_event_in.priority has its own enum type
 * (review s11 M2), so assigning a fu_priority to it is a compile warning
 * (-Wenum-conversion, on with -Wextra in GCC >= 10 and by default in clang)
 * and with -Werror an error. FU_WRONG assigns FU_PRIORITY_HIGH (which would
 * mean urgent: the field holds fu_priority + 1); without it the right
 * spellings compile cleanly. */
#include <followup.h>

int fu_event_priority_snippet(fu_book *b);
int fu_event_priority_snippet(fu_book *b) {
    fu_event_in e;
    fu_event_in_init(&e);
    e.customer_id = "C1";
    e.kind = FU_EVENT_CONTACT;
    e.at = 1795399200;
#ifdef FU_WRONG
    e.priority = FU_PRIORITY_HIGH;
#else
    e.priority = FU_EVENT_PRIORITY_HIGH;
    e.priority = FU_EVENT_PRIORITY_OF(FU_PRIORITY_HIGH);
    int *p = (int *)&e.priority; /* the int of 0.1.0: same size */
    (void)p;
#endif
    return fu_book_add_event(b, &e);
}
