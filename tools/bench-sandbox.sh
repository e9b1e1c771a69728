#!/usr/bin/env bash
# Sandbox benchmark (issue "Fast where it counts": the sandbox is never the bottleneck): the
# sandbox's CPU per simple GET as the number of stored Primero cases grows. For each size N
# (default 1,000 10,000 100,000) a fresh sandbox holds N synthetic Primero cases (one referral
# each); one curl process then sends R (default 2,000) requests over one kept-alive connection:
#   search  GET /api/v2/cases?page=1&per=2&unhcr_individual_no=<an individual's number>
#           (workflow 1.1's case lookup, for the newest 1,000 cases in turn)
#   get     GET /api/v2/cases/<record id>
# and the sandbox's CPU (user + system, /proc/<pid>/stat, seeding excluded) is divided by R.
# Prints a table and one JSON line per (N, request):
#   {"benchmark":"sandbox","cases","request","requests","seconds","requests_per_s","cpu_us_per_request","load_avg"}
# Release build; SANDBOX_BIN runs another sandbox binary (e.g. an earlier build, for before/after).
#   tools/bench-sandbox.sh                 # 1,000 10,000 100,000 cases
#   tools/bench-sandbox.sh 500 5000 --requests 5000
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=()
requests=2000
while (($# > 0)); do
  case $1 in
    --requests) requests=${2:?--requests needs a value}; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    [0-9]*) sizes+=("$1"); shift ;;
    *) echo "bench-sandbox: unknown argument $1" >&2; exit 2 ;;
  esac
done
((${#sizes[@]} > 0)) || sizes=(1000 10000 100000)
out="$(pwd)/bench-out/sandbox"
bin="${SANDBOX_BIN:-$(pwd)/build/release/tools/sandbox/refbridge-sandbox}"
cmake --preset release >/dev/null
cmake --build --preset release -j "${BENCH_JOBS:-$(nproc 2>/dev/null || echo 2)}" --target refbridge-sandbox >/dev/null
rm -rf "$out" && mkdir -p "$out"
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
clock_ticks=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_ms() { awk -v hz="$clock_ticks" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' "/proc/$1/stat"; }

echo "machine: $(nproc 2>/dev/null || echo '?') cores; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
printf '%9s %-7s %9s %9s %12s %14s %s\n' cases request requests seconds requests/s cpu_us/request load_avg
for n in "${sizes[@]}"; do
  rm -f "$out/ports.json"
  REFBRIDGE_SANDBOX_PRIMERO_PASSWORD=$password "$bin" --ports-file "$out/ports.json" --synthetic-primero-cases "$n" \
    --synthetic-kind decisions --synthetic-referrals-per-case 1 >"$out/sandbox-$n.out" 2>"$out/sandbox-$n.log" &
  pid=$!
  for _ in $(seq 1 6000); do [[ -s "$out/ports.json" ]] && break; sleep 0.1; done
  base=$(sed -n 's/.*"primero_base_url" *: *"\([^"]*\)".*/\1/p' "$out/ports.json")
  # Record ids and individual numbers of cases spread over the store (one listing of ids).
  curl -sf -u "primero_api:$password" "$base/api/v2/cases?per=1000&fields=id,unhcr_individual_no" |
    tr '{' '\n' | sed -n 's/.*"id":"\([^"]*\)".*"unhcr_individual_no":"\([^"]*\)".*/\1 \2/p' >"$out/ids-$n.txt"
  for kind in search get; do
    awk -v r="$requests" -v base="$base" -v kind="$kind" '{ id[NR] = $1; no[NR] = $2 } END {
      for (i = 0; i < r; ++i) {
        k = i % NR + 1
        if (kind == "search") printf "url = \"%s/api/v2/cases?page=1&per=2&unhcr_individual_no=%s\"\n", base, no[k]
        else printf "url = \"%s/api/v2/cases/%s\"\n", base, id[k]
        print "output = \"/dev/null\""
      } }' "$out/ids-$n.txt" >"$out/urls-$n-$kind.txt"
    before=$(cpu_ms "$pid")
    start=$(date +%s.%N)
    curl -sf -u "primero_api:$password" --config "$out/urls-$n-$kind.txt"
    end=$(date +%s.%N)
    after=$(cpu_ms "$pid")
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v n="$n" -v k="$kind" -v r="$requests" -v s0="$start" -v s1="$end" -v c0="$before" -v c1="$after" -v load="$load" \
      -v json="$out/results.jsonl" 'BEGIN { s = s1 - s0; us = (c1 - c0) * 1000 / r
        printf "%9d %-7s %9d %9.2f %12.0f %14.1f %s\n", n, k, r, s, r / s, us, load
        printf "{\"benchmark\":\"sandbox\",\"cases\":%d,\"request\":\"%s\",\"requests\":%d,\"seconds\":%.3f,\"requests_per_s\":%.1f,\"cpu_us_per_request\":%.1f,\"load_avg\":%s}\n", n, k, r, s, r / s, us, load >>json }'
  done
  kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
done
cat "$out/results.jsonl"
