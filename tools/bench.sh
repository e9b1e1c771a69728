#!/usr/bin/env bash
# Serializer benchmarks: builds refbridge-bench with the release preset (optimised) and runs it.
# Prints a table of parse / serialize / validate throughput (MB/s, records/s) for a synthetic
# Primero page of 1,000 cases modelled on fixtures/case_583069e.json and 10,000 PING
# interventions / individuals, next to RapidJSON's DOM parse and write (the reference), and the
# peak RSS. Extra arguments go to the benchmark: --seconds S (per operation), --cases N,
# --fixtures DIR.
#   tools/bench.sh
#   tools/bench.sh --seconds 3
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=${REFBRIDGE_FIXTURES_DIR:-"$(pwd)/../shared/fixtures/openfn-primero-progres"}

cmake --preset release >/dev/null
cmake --build --preset release --target refbridge-bench
echo "machine: $(nproc 2>/dev/null || echo '?') cores; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
build/release/bench/refbridge-bench --fixtures "$fixtures" "$@"
