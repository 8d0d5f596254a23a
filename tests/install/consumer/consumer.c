/* Built against the installed package from outside the source tree. */
#include <followup.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    if (strcmp(fu_version(), FU_VERSION_STRING) != 0) return 1;
    if (fu_error_last()->code != FU_OK) return 2;
    printf("followup %s ok\n", fu_version());
    return 0;
}
