#!/usr/bin/env bash
# Quick-start command 2: installs dependencies, builds everything, and runs the whole test suite
# once, in the configuration CI uses: clang 14 with AddressSanitizer + UndefinedBehaviorSanitizer
# (and the libFuzzer targets, run for a short bounded time as tests).
#   tools/test.sh            the suite under ASan+UBSan (what .ci/run runs)
#   tools/test.sh --release  also builds and tests the optimised gcc build the demo and benches use
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

if [[ "${1:-}" == "--release" ]]; then
  echo "== release build and tests (gcc, -O2)"
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$jobs"
  ctest --preset release -j "$jobs"
fi

echo "== ASan + UBSan build and tests (clang 14)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

echo "tools/test.sh: all tests passed in $(( $(date +%s) - start )) s"
