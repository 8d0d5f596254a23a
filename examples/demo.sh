#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, then run the
# follow-up tool on the built-in default policy and the bundled sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/install-deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DFU_BUILD_TESTS=OFF -DFU_BUILD_BENCH=OFF \
      -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build/demo -j "$(nproc)" --target followup_cli >/dev/null
FOLLOWUP=build/demo/examples/cli/followup
"$FOLLOWUP" version
echo
"$FOLLOWUP" check-policy
