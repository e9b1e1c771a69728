#!/usr/bin/env bash
# Workflow benchmark: for each of the four workflows, a fresh sandbox loaded with N synthetic
# records (default 10,000), a fresh ledger and one run of the workflow program (release build,
# config/bench.yaml: concurrency 8, pages of 100, ingestion batches of 100). Prints per workflow
# the records seen, delivered, the run's duration (from its report), records per second, and the
# workflow process's peak resident memory (GNU time, KiB -> MiB). Reports land in bench-out/.
#   tools/bench-workflows.sh            # 10,000 records per workflow
#   tools/bench-workflows.sh 2000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
root=$(pwd)
out="$root/bench-out"
bin="$root/build/release"

tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target refbridge-sandbox \
  refbridge-referrals-to-primero refbridge-decisions-to-progres refbridge-referrals-to-progres \
  refbridge-decisions-to-primero >/dev/null
rm -rf "$out" && mkdir -p "$out"

REFBRIDGE_SANDBOX_PRIMERO_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
REFBRIDGE_SANDBOX_PING_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export REFBRIDGE_SANDBOX_PRIMERO_PASSWORD REFBRIDGE_SANDBOX_PING_TOKEN
export REFBRIDGE_PING_TOKEN=$REFBRIDGE_SANDBOX_PING_TOKEN REFBRIDGE_PRIMERO_PASSWORD=$REFBRIDGE_SANDBOX_PRIMERO_PASSWORD

echo "machine: $(nproc 2>/dev/null || echo '?') cores; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
printf '%-4s %8s %9s %9s %10s %12s\n' wf records delivered seconds records/s peak_MiB

bench_one() {  # bench_one <id> <program> <sandbox options...>
  local id=$1 program=$2
  shift 2
  rm -f "$out/ports.json"
  "$bin/tools/sandbox/refbridge-sandbox" --ports-file "$out/ports.json" --ingestion-polls 1 "$@" \
    >"$out/sandbox-$id.out" 2>"$out/sandbox-$id.log" &
  local pid=$!
  for _ in $(seq 1 600); do [[ -s "$out/ports.json" ]] && break; sleep 0.1; done
  url_of() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" "$out/ports.json"; }
  REFBRIDGE_PING_BASE_URL=$(url_of ping_base_url) REFBRIDGE_PRIMERO_BASE_URL=$(url_of primero_base_url) \
  REFBRIDGE_LEDGER="$out/ledger-$id.sqlite" \
    /usr/bin/time -f '%M' -o "$out/$id.rss" "$bin/workflows/$program" --config config/bench.yaml \
      --report "$out/$id.json" >"$out/$id.summary" 2>"$out/$id.log" || true
  kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  local ms seen delivered rss
  ms=$(sed -n 's/.*"duration_ms": *\([0-9]*\).*/\1/p' "$out/$id.json" | head -1)
  delivered=$(sed -n 's/.*"delivered": *\([0-9]*\).*/\1/p' "$out/$id.json" | head -1)
  seen=$(sed -n 's/.*"\(delivered\|skipped\|rejected\|failed\)": *\([0-9]*\).*/\2/p' "$out/$id.json" | head -4 |
    awk '{ t += $1 } END { print t + 0 }')
  rss=$(tail -1 "$out/$id.rss")
  awk -v id="$id" -v seen="$seen" -v d="$delivered" -v ms="$ms" -v rss="$rss" \
    'BEGIN { s = ms / 1000; printf "%-4s %8d %9d %9.2f %10.0f %12.1f\n", id, seen, d, s, (s > 0 ? seen / s : 0), rss / 1024 }'
}

bench_one 1.1 referrals_to_primero/refbridge-referrals-to-primero --synthetic-interventions "$n"
bench_one 1.2 decisions_to_progres/refbridge-decisions-to-progres --synthetic-primero-cases "$n" --synthetic-kind decisions \
  --synthetic-interventions "$n"
bench_one 2.1 referrals_to_progres/refbridge-referrals-to-progres --synthetic-primero-cases "$n" --synthetic-kind referrals
bench_one 2.2 decisions_to_primero/refbridge-decisions-to-primero --synthetic-primero-cases "$n" --synthetic-kind referrals \
  --synthetic-decisions "$n"
