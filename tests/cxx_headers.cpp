// The public headers must compile as C++ (and link from C++).
#include "followup.h"

#include <cstring>

int main() {
    const fu_error *e = fu_error_last();
    if (e == nullptr || e->code != FU_OK) return 1;
    return std::strcmp(fu_version(), FU_VERSION_STRING) == 0 ? 0 : 1;
}
