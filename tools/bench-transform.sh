#!/usr/bin/env bash
# Transform benchmark of workflow 1.1 (bench/transform_bench.cc): builds refbridge-bench-transform
# with the release preset and runs it over a JSON-lines file of PING records (default
# ../shared/bench/ping-records-1k.jsonl). Prints records/s and MB/s of the full transform (decode ->
# validate -> map -> validate -> encode) and of the decode alone, next to RapidJSON's raw parse +
# write of the same bytes (the limit) and the share of it reached, then one JSON line.
# Extra arguments go to the benchmark: --input FILE, --profile FILE, --seconds S.
#   tools/bench-transform.sh
#   tools/bench-transform.sh --seconds 3
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j "${BENCH_JOBS:-$(nproc 2>/dev/null || echo 2)}" --target refbridge-bench-transform >/dev/null
echo "machine: $(nproc 2>/dev/null || echo '?') cores; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
build/release/bench/refbridge-bench-transform "$@"
