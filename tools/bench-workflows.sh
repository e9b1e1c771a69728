#!/usr/bin/env bash
# Workflow benchmark: for each of the four workflows, a fresh sandbox loaded with N synthetic
# records (default 10,000), a fresh ledger and one run of the workflow program (release build,
# config/bench.yaml: concurrency 8, pages of 100, ingestion batches of 100). Prints per workflow
# the records seen, delivered, the run's duration (from its report), records per second, the
# workflow process's CPU (user + system, GNU time) per record seen, the sandbox's CPU
# (/proc/<pid>/stat, seeding excluded) per API request it answered during the run (GET
# /_sandbox/stats before and after) and per record seen, and the workflow
# process's peak resident memory (GNU time, KiB -> MiB), then the same per workflow as one JSON
# line (machine readable; also in bench-out/results.jsonl):
#   {"workflow","records","delivered","seconds","records_per_s","client_cpu_us_per_record",
#    "sandbox_requests","sandbox_cpu_us_per_request","sandbox_cpu_us_per_record","peak_mib","per_child","per_case",
#    "concurrency","latency_ms","load_avg"}
# Reports, logs, ledgers and the sandbox dumps land in bench-out/.
#
# The load is shaped like real data (issue "No duplicate, ever": the pilot fixtures hold 11
# interventions of 10 individuals, several referrals and decisions per Primero case):
#   --per-child K  proGres interventions per individual (1.1 input, 1.2's targets); default 4
#   --per-case K   referrals (service rows) per Primero case (1.2, 2.1 input, 2.2's targets, and so
#                  decisions per case for 2.2); default 3
# After 1.1 the script also counts the Primero cases the sandbox ended with and the individuals
# (unhcr_individual_no) holding more than one case: each of those is a duplicate case.
#   tools/bench-workflows.sh                               # 10,000 records, 4 per child, 3 per case
#   tools/bench-workflows.sh 2000 --per-child 1 --per-case 1   # the old one-to-one shape
#   tools/bench-workflows.sh 10000 --latency-ms 20 --concurrency 32 --only 1.1
#   --concurrency C  sync.concurrency of the runs (default 8, as config/bench.yaml)
#   --latency-ms L   the sandbox's latency fault: L ms added to every PING and Primero request
#                    (default 0 = none), as a slow production server would
#   --threads T      worker threads per sandbox server (default 72; >= the connections held;
#                    "" = the sandbox's default, for a sandbox binary without the option)
#   SANDBOX_BIN      another sandbox binary (e.g. an earlier build, for before/after figures)
#   --only W         run only workflow W (1.1, 1.2, 2.1 or 2.2)
# BENCH_JOBS (default: the core count) limits the parallel build. The machine's load average is
# printed (and recorded) next to each figure: on a shared machine compare figures taken together.
# BENCH_LEDGER=postgresql://... runs on a PostgreSQL ledger instead (a fresh deployment per run;
# password from REFBRIDGE_LEDGER_PASSWORD).
set -euo pipefail
cd "$(dirname "$0")/.."
n=10000
per_child=4
per_case=3
concurrency=8
latency_ms=0
threads=72
only=""
while (($# > 0)); do
  case $1 in
    --per-child) per_child=${2:?--per-child needs a value}; shift 2 ;;
    --per-case) per_case=${2:?--per-case needs a value}; shift 2 ;;
    --concurrency) concurrency=${2:?--concurrency needs a value}; shift 2 ;;
    --latency-ms) latency_ms=${2:?--latency-ms needs a value}; shift 2 ;;
    --threads) threads=${2?--threads needs a value}; shift 2 ;;
    --only) only=${2:?--only needs a workflow id}; shift 2 ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    [0-9]*) n=$1; shift ;;
    *) echo "bench-workflows: unknown argument $1 (usage: $0 [N] [--per-child K] [--per-case K])" >&2; exit 2 ;;
  esac
done
for v in "$n" "$per_child" "$per_case" "$concurrency" "$latency_ms" ${threads:+"$threads"}; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "bench-workflows: not a count: $v" >&2; exit 2; }
done
((per_child >= 1 && per_case >= 1)) || { echo "bench-workflows: --per-child and --per-case must be >= 1" >&2; exit 2; }
root=$(pwd)
out="$root/bench-out"
bin="$root/build/release"

tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "${BENCH_JOBS:-$(nproc 2>/dev/null || echo 2)}" --target refbridge-sandbox \
  refbridge-referrals-to-primero refbridge-decisions-to-progres refbridge-referrals-to-progres \
  refbridge-decisions-to-primero >/dev/null
rm -rf "$out" && mkdir -p "$out"
# config/bench.yaml with sync.concurrency set (--concurrency C, default 8).
sed "s/^  concurrency: .*/  concurrency: $concurrency/" config/bench.yaml >"$out/bench.yaml"
# The latency fault (--latency-ms): every request of both servers, admin routes excepted.
faults=()
if ((latency_ms > 0)); then
  printf 'rules:\n  - kind: latency\n    latency_ms: %d\n' "$latency_ms" >"$out/latency.yaml"
  faults=(--faults "$out/latency.yaml")
fi

REFBRIDGE_SANDBOX_PRIMERO_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
REFBRIDGE_SANDBOX_PING_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export REFBRIDGE_SANDBOX_PRIMERO_PASSWORD REFBRIDGE_SANDBOX_PING_TOKEN
export REFBRIDGE_PING_TOKEN=$REFBRIDGE_SANDBOX_PING_TOKEN REFBRIDGE_PRIMERO_PASSWORD=$REFBRIDGE_SANDBOX_PRIMERO_PASSWORD

echo "machine: $(nproc 2>/dev/null || echo '?') cores; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
echo "load: $n records per workflow; per child: $per_child interventions; per case: $per_case referrals; concurrency $concurrency; latency ${latency_ms} ms"
printf '%-4s %8s %9s %8s %9s %13s %8s %14s %14s %8s %s\n' wf records delivered seconds records/s client_us/rec requests sandbox_us/req sandbox_us/rec peak_MiB load_avg

# The sandbox's API requests so far (GET /_sandbox/stats; 0 when it does not answer) and its
# process' CPU (user + system, /proc/<pid>/stat, ms): "<requests> <cpu_ms>".
clock_ticks=$(getconf CLK_TCK 2>/dev/null || echo 100)
sandbox_stats() {  # sandbox_stats <ping base url> <pid>
  local requests
  requests=$({ curl -sf "$1/_sandbox/stats" || true; } |
    sed -n 's/.*"ping_requests":\([0-9]*\),"primero_requests":\([0-9]*\).*/\1 \2/p' | awk '{ print $1 + $2 }')
  awk -v r="${requests:-0}" -v hz="$clock_ticks" '{ sub(/^.*\) /, ""); print r, ($12 + $13) * 1000 / hz }' "/proc/$2/stat"
}

bench_one() {  # bench_one <id> <program> <sandbox options...>
  local id=$1 program=$2
  [[ -z $only || $only == "$id" ]] || return 0
  shift 2
  rm -f "$out/ports.json"
  "${SANDBOX_BIN:-$bin/tools/sandbox/refbridge-sandbox}" --ports-file "$out/ports.json" --ingestion-polls 1 ${threads:+--threads "$threads"} \
    "${faults[@]}" "$@" >"$out/sandbox-$id.out" 2>"$out/sandbox-$id.log" &
  local pid=$!
  for _ in $(seq 1 6000); do [[ -s "$out/ports.json" ]] && break; sleep 0.1; done
  url_of() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" "$out/ports.json"; }
  local ping_url before after
  ping_url=$(url_of ping_base_url)
  before=$(sandbox_stats "$ping_url" "$pid")
  REFBRIDGE_PING_BASE_URL=$ping_url REFBRIDGE_PRIMERO_BASE_URL=$(url_of primero_base_url) \
  REFBRIDGE_LEDGER="${BENCH_LEDGER:-$out/ledger-$id.sqlite}" REFBRIDGE_DEPLOYMENT="bench-$id-$(date +%s)" \
    /usr/bin/time -f '%M %U %S' -o "$out/$id.rss" "$bin/workflows/$program" --config "$out/bench.yaml" \
      --report "$out/$id.json" >"$out/$id.summary" 2>"$out/$id.log" || true
  after=$(sandbox_stats "$ping_url" "$pid")
  kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  local ms seen delivered rss_line load
  ms=$(sed -n 's/.*"duration_ms": *\([0-9]*\).*/\1/p' "$out/$id.json" | head -1)
  delivered=$(sed -n 's/.*"delivered": *\([0-9]*\).*/\1/p' "$out/$id.json" | head -1)
  seen=$(sed -n 's/.*"\(delivered\|skipped\|rejected\|failed\)": *\([0-9]*\).*/\2/p' "$out/$id.json" | head -4 |
    awk '{ t += $1 } END { print t + 0 }')
  rss_line=$(tail -1 "$out/$id.rss")
  load=$(cut -d' ' -f1 /proc/loadavg)
  awk -v id="$id" -v seen="$seen" -v d="$delivered" -v ms="$ms" -v t="$rss_line" -v b="$before" -v a="$after" \
    -v pc="$per_child" -v pk="$per_case" -v c="$concurrency" -v lat="$latency_ms" -v load="$load" -v json="$out/results.jsonl" '
    BEGIN {
      s = ms / 1000; split(t, r, " "); split(b, x, " "); split(a, y, " ")
      rps = s > 0 ? seen / s : 0
      cpu_us = seen > 0 ? (r[2] + r[3]) * 1e6 / seen : 0
      reqs = y[1] - x[1]; sandbox_us = reqs > 0 ? (y[2] - x[2]) * 1000 / reqs : 0
      sandbox_rec = seen > 0 ? (y[2] - x[2]) * 1000 / seen : 0
      printf "%-4s %8d %9d %8.2f %9.0f %13.0f %8d %14.1f %14.0f %8.1f %s\n", id, seen, d, s, rps, cpu_us, reqs, sandbox_us, sandbox_rec, r[1] / 1024, load
      printf "{\"workflow\":\"%s\",\"records\":%d,\"delivered\":%d,\"seconds\":%.3f,\"records_per_s\":%.1f,\"client_cpu_us_per_record\":%.1f,\"sandbox_requests\":%d,\"sandbox_cpu_us_per_request\":%.1f,\"sandbox_cpu_us_per_record\":%.0f,\"peak_mib\":%.1f,\"per_child\":%d,\"per_case\":%d,\"concurrency\":%d,\"latency_ms\":%d,\"load_avg\":%s}\n",
        id, seen, d + 0, s, rps, cpu_us, reqs, sandbox_us, sandbox_rec, r[1] / 1024, pc, pk, c, lat, load >>json
    }'
}

shape_child=(--synthetic-referrals-per-child "$per_child")
shape_case=(--synthetic-referrals-per-case "$per_case")
bench_one 1.1 referrals_to_primero/refbridge-referrals-to-primero --synthetic-interventions "$n" "${shape_child[@]}" \
  --dump-primero "$out/primero-1.1.json"
bench_one 1.2 decisions_to_progres/refbridge-decisions-to-progres --synthetic-primero-cases "$n" --synthetic-kind decisions \
  "${shape_case[@]}" --synthetic-interventions "$n" "${shape_child[@]}"
bench_one 2.1 referrals_to_progres/refbridge-referrals-to-progres --synthetic-primero-cases "$n" --synthetic-kind referrals \
  "${shape_case[@]}"
bench_one 2.2 decisions_to_primero/refbridge-decisions-to-primero --synthetic-primero-cases "$n" --synthetic-kind referrals \
  "${shape_case[@]}" --synthetic-decisions "$n"
cat "$out/results.jsonl"

# Duplicate cases after 1.1: Primero cases per unhcr_individual_no (jq, when installed).
if command -v jq >/dev/null && [[ -s "$out/primero-1.1.json" ]]; then
  jq -r '[.data[] | .unhcr_individual_no // "none"] | group_by(.) | map(length)
         | "1.1 duplicates: \(add // 0) Primero cases for \(length) individuals; \(map(select(. > 1)) | length) individuals with more than one case (\(map(select(. > 1) | . - 1) | add // 0) extra cases)"' \
    "$out/primero-1.1.json"
  jq -r '[.data[] | (.services_section // [])[] | .progres_interventionnumber // "none"] | group_by(.) | map(length)
         | "1.1 service rows: \(add // 0) rows for \(length) interventions; \(map(select(. > 1)) | length) interventions with more than one row"' \
    "$out/primero-1.1.json"
fi
