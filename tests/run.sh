#!/usr/bin/env bash
# The one test command: installs what is missing, builds, and runs every test
# (C with Criterion, Python with pytest, Lua, install and C++ header checks)
# through ctest; then builds the C tests again under AddressSanitizer +
# UndefinedBehaviorSanitizer and runs them. Exits non-zero on any failure.
#
#   tests/run.sh            everything
#   FU_SKIP_ASAN=1 tests/run.sh    skip the sanitizer pass
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}

bash cmake/install-deps.sh

step() { printf '\n==> %s\n' "$*" >&2; }

step "build (RelWithDebInfo) with Python and Lua bindings"
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build/test -j "$JOBS"
step "ctest: C, C++ headers, install, Python, Lua"
(cd build/test && ctest --output-on-failure -j "$JOBS" --timeout 900)

if [ "${FU_SKIP_ASAN:-0}" != 1 ]; then
  step "build with ASan + UBSan"
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DFU_SANITIZE=ON \
        -DFU_BUILD_PYTHON=OFF -DFU_BUILD_LUA=OFF -DFU_BUILD_EXAMPLES=OFF -DFU_BUILD_BENCH=OFF >/dev/null
  cmake --build build/asan -j "$JOBS"
  step "ctest under ASan + UBSan: C tests"
  (cd build/asan && ctest --output-on-failure -j "$JOBS" --timeout 900 -L c)
fi

step "all tests passed"
