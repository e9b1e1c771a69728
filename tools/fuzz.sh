#!/usr/bin/env bash
# Longer fuzzing campaign over every libFuzzer target (fuzz/), then a table of executions and
# coverage per target (libFuzzer's cov: edges reached, ft: features, corp: corpus size).
#   tools/fuzz.sh [seconds-per-target]     (default 300)
# Env: BUILD_DIR (default build/fuzz: configured with clang 14, ASan+UBSan and REFBRIDGE_FUZZ=ON
# when missing), TARGETS (default "ping primero mapping-spec profile"), JOBS (targets run at once,
# default 1). Each target keeps its corpus in $BUILD_DIR/fuzz/campaign/<target> between campaigns;
# a crash, leak or timeout is written there as crash-*/leak-*/timeout-* and makes the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-300}
build=${BUILD_DIR:-build/fuzz}
targets=${TARGETS:-"ping primero mapping-spec profile"}
jobs=${JOBS:-1}

if [[ ! -f "$build/build.ninja" ]]; then
  tools/install-deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DREFBRIDGE_SANITIZE=ON \
    -DREFBRIDGE_BUILD_BENCH=OFF -DREFBRIDGE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
fi
exes=()
for t in $targets; do exes+=("refbridge-fuzz-$t"); done
cmake --build "$build" --target "${exes[@]}" refbridge-fuzz-seeds

# Seeds as ctest writes them (fuzz/prepare_corpus.cmake through the fuzz-seeds-* tests).
ctest --test-dir "$build" -R "^fuzz-seeds-" --output-on-failure >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
campaign="$build/fuzz/campaign"
run() {
  local t=$1 dir="$campaign/$1"
  mkdir -p "$dir/corpus"
  (cd "$dir" && "$OLDPWD/$build/fuzz/refbridge-fuzz-$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
     -print_final_stats=1 corpus "$OLDPWD/$build/fuzz/seeds/$t" >log.txt 2>&1) || echo "$t: FAILED (see $dir/log.txt)"
}
running=0
for t in $targets; do
  run "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then wait -n; running=$((running - 1)); fi
done
wait

status=0
printf '%-14s %12s %8s %8s %10s %8s  %s\n' target executions exec/s cov ft corpus result
for t in $targets; do
  log="$campaign/$t/log.txt"
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
  result=ok
  if grep -qE '^==[0-9]+==ERROR|^SUMMARY: |deadly signal|ERROR: libFuzzer' "$log"; then result="FINDING (see $log)"; status=1; fi
  printf '%-14s %12s %8s %8s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
exit $status
