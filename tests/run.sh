#!/usr/bin/env bash
# The one test command: installs what is missing, builds, and runs every test
# (C with Criterion, Python with pytest, Lua, install and C++ header checks, and
# selfcontained.clone: a fresh clone of HEAD with nothing beside it passes)
# through ctest; then builds the C tests again under AddressSanitizer +
# UndefinedBehaviorSanitizer and runs them. Exits non-zero on any failure.
#
#   tests/run.sh            everything
#   FU_SKIP_ASAN=1 tests/run.sh    skip the sanitizer pass (likewise FU_SKIP_DEMO,
#                                  FU_SKIP_VALGRIND, FU_SKIP_TSAN, FU_SKIP_FUZZ)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}

bash cmake/install-deps.sh

step() { printf '\n==> %s\n' "$*" >&2; }

step "build (RelWithDebInfo) with Python and Lua bindings"
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFU_WERROR=ON -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build/test -j "$JOBS"
step "ctest: C, C++ headers, install, Python, Lua"
(cd build/test && ctest --output-on-failure -j "$JOBS" --timeout 900)

if [ "${FU_SKIP_DEMO:-0}" != 1 ]; then
  step "the demo (examples/demo.sh: its Release build, warnings as errors here, runs to the end)"
  cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DFU_WERROR=ON -DFU_BUILD_TESTS=OFF \
        -DFU_BUILD_BENCH=OFF -DFU_BUILD_PYTHON=OFF -DFU_BUILD_LUA=OFF >/dev/null
  cmake --build build/demo -j "$JOBS" --target followup_cli >/dev/null
  demo_start=$(date +%s)
  bash examples/demo.sh > build/demo/demo.log 2>&1 || { tail -n 40 build/demo/demo.log >&2; echo "the demo failed" >&2; exit 1; }
  echo "demo: ran to the end in $(($(date +%s) - demo_start)) s after its build (build/demo/demo.log)" >&2
fi

if [ "${FU_SKIP_VALGRIND:-0}" != 1 ]; then
  step "valgrind memcheck: threads, C example, CLI (full suite: tests/valgrind.sh build/test)"
  bash tests/valgrind.sh build/test --quick
fi

if [ "${FU_SKIP_ASAN:-0}" != 1 ]; then
  step "build with ASan + UBSan (library, C tests, bindings)"
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DFU_SANITIZE=ON -DFU_WERROR=ON \
        -DPython3_EXECUTABLE=/usr/bin/python3 -DFU_BUILD_BENCH=OFF >/dev/null
  cmake --build build/asan -j "$JOBS"
  step "ctest under ASan + UBSan: C tests; Python and Lua tests with the ASan runtime preloaded"
  (cd build/asan && ctest --output-on-failure -j "$JOBS" --timeout 900 -L "c|python|lua")
fi

if [ "${FU_SKIP_TSAN:-0}" != 1 ]; then
  step "ThreadSanitizer: one shared policy, threads planning, scoring and computing KPIs"
  cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFU_TSAN=ON -DFU_WERROR=ON -DFU_BUILD_PYTHON=OFF \
        -DFU_BUILD_LUA=OFF -DFU_BUILD_EXAMPLES=OFF -DFU_BUILD_BENCH=OFF >/dev/null
  cmake --build build/tsan -j "$JOBS" --target test_threads
  (cd build/tsan && ctest --output-on-failure -L threads)
fi

if [ "${FU_SKIP_FUZZ:-0}" != 1 ]; then
  step "libFuzzer targets (clang, ASan + UBSan), ${FU_FUZZ_SECONDS:-15} s each"
  CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DFU_BUILD_FUZZ=ON -DFU_WERROR=ON \
        -DFU_SANITIZE=ON -DFU_BUILD_TESTS=OFF -DFU_BUILD_PYTHON=OFF -DFU_BUILD_LUA=OFF \
        -DFU_BUILD_EXAMPLES=OFF -DFU_BUILD_BENCH=OFF >/dev/null
  cmake --build build/fuzz -j "$JOBS"
  fuzz_failed=0
  for bin in build/fuzz/fuzz/fuzz_*; do
    name=$(basename "$bin"); name=${name#fuzz_}
    work=build/fuzz/corpus-$name
    mkdir -p "$work"
    if "$bin" "$work" "fuzz/corpus/$name" -max_total_time="${FU_FUZZ_SECONDS:-15}" \
         -max_len=65536 -rss_limit_mb=2048 -timeout=10 >"build/fuzz/$name.log" 2>&1; then
      echo "fuzz $name: $(grep -E '^Done [0-9]+ runs' "build/fuzz/$name.log" || echo done)" >&2
    else
      echo "fuzz $name: FAILED" >&2
      tail -n 40 "build/fuzz/$name.log" >&2
      fuzz_failed=1
    fi
  done
  [ "$fuzz_failed" = 0 ] || { echo "fuzzing found a failure" >&2; exit 1; }
fi

step "all tests passed"
