#!/usr/bin/env bash
# Quick-start command 1: installs dependencies, builds, starts the sandbox (PING + Primero on
# 127.0.0.1, ephemeral ports) seeded with the real pilot fixtures, runs workflow 1.1 against it,
# and writes:
#   demo-out/1.1.json            the run report
#   demo-out/primero-cases.json  the Primero sandbox's cases afterwards
#   demo-out/ping-interventions.json  PING's interventions with their transfer status
#   demo-out/*.log               the structured logs (ids and counts only)
# then prints a one-line summary and stops the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fixtures=${REFBRIDGE_FIXTURES_DIR:-"$root/../shared/fixtures/openfn-primero-progres"}
out="$root/demo-out"

tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target refbridge-sandbox refbridge-referrals-to-primero >/dev/null

rm -rf "$out" && mkdir -p "$out"
# Fresh random secrets for this run: nothing secret is stored in the repository.
REFBRIDGE_SANDBOX_PRIMERO_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
REFBRIDGE_SANDBOX_PING_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export REFBRIDGE_SANDBOX_PRIMERO_PASSWORD REFBRIDGE_SANDBOX_PING_TOKEN

build/release/tools/sandbox/refbridge-sandbox --fixtures "$fixtures" --ports-file "$out/ports.json" \
  --dump-primero "$out/primero-cases.json" --dump-ping "$out/ping-interventions.json" 2>"$out/sandbox.log" &
sandbox_pid=$!
stop_sandbox() { kill -TERM "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null || true; }
trap stop_sandbox EXIT

for _ in $(seq 1 100); do [[ -s "$out/ports.json" ]] && break; sleep 0.1; done
[[ -s "$out/ports.json" ]] || { echo "demo: the sandbox did not start (see $out/sandbox.log)" >&2; exit 1; }
url_of() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" "$out/ports.json"; }

status=0
REFBRIDGE_PING_BASE_URL=$(url_of ping_base_url) \
REFBRIDGE_PRIMERO_BASE_URL=$(url_of primero_base_url) \
REFBRIDGE_PING_TOKEN=$REFBRIDGE_SANDBOX_PING_TOKEN \
REFBRIDGE_PRIMERO_PASSWORD=$REFBRIDGE_SANDBOX_PRIMERO_PASSWORD \
  build/release/workflows/referrals_to_primero/refbridge-referrals-to-primero \
    --config config/demo.yaml --report "$out/1.1.json" >"$out/1.1.summary" 2>"$out/1.1.log" || status=$?

stop_sandbox
trap - EXIT
cases=$(grep -o '"case_id" *:' "$out/primero-cases.json" 2>/dev/null | wc -l || true)
echo "demo: $(cat "$out/1.1.summary"); Primero sandbox holds ${cases} case(s); reports in demo-out/"
exit "$status"
