#!/usr/bin/env bash
# Quick-start command 1: installs dependencies, builds, starts the sandbox (PING + Primero on
# 127.0.0.1, ephemeral ports) seeded with the real pilot fixtures, and runs the four workflows in
# order, showing the pilot's round trip:
#   1.1 proGres referrals -> Primero: the fixtures' accepted interventions become cases + services;
#   (a caseworker accepts referral 989-22-PRTITV-0000051 in the Primero sandbox)
#   1.2 Primero decisions -> proGres: that decision reaches PING's ingestion;
#   2.1 Primero referrals -> proGres: the UNHCR referral of the Primero fixtures reaches PING as
#       f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89;
#   2.2 proGres decisions -> Primero: the decision fixture for it accepts that Primero referral.
# Writes demo-out/: 1.1.json 1.2.json 2.1.json 2.2.json (run reports), *.log (structured logs:
# ids and counts only), primero-cases.json, ping-interventions.json, ping-incoming.json,
# ping-ingestions.json (the sandbox afterwards), ledger.sqlite + ledger-summary.txt (the audit
# trail: build/release/tools/ledger/refbridge-ledger --ledger demo-out/ledger.sqlite show ...).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fixtures=${REFBRIDGE_FIXTURES_DIR:-"$root/../shared/fixtures/openfn-primero-progres"}
out="$root/demo-out"
bin="$root/build/release"

tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target refbridge-sandbox refbridge-ledger \
  refbridge-referrals-to-primero refbridge-decisions-to-progres refbridge-referrals-to-progres \
  refbridge-decisions-to-primero >/dev/null

rm -rf "$out" && mkdir -p "$out"
# Fresh random secrets for this run: nothing secret is stored in the repository.
REFBRIDGE_SANDBOX_PRIMERO_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
REFBRIDGE_SANDBOX_PING_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export REFBRIDGE_SANDBOX_PRIMERO_PASSWORD REFBRIDGE_SANDBOX_PING_TOKEN

"$bin/tools/sandbox/refbridge-sandbox" --fixtures "$fixtures" --ports-file "$out/ports.json" --ingestion-polls 2 \
  --dump-primero "$out/primero-cases.json" --dump-ping "$out/ping-interventions.json" \
  --dump-ping-incoming "$out/ping-incoming.json" --dump-ping-ingestions "$out/ping-ingestions.json" \
  >"$out/sandbox.out" 2>"$out/sandbox.log" &
sandbox_pid=$!
stop_sandbox() { kill -TERM "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null || true; }
trap stop_sandbox EXIT

for _ in $(seq 1 100); do [[ -s "$out/ports.json" ]] && break; sleep 0.1; done
[[ -s "$out/ports.json" ]] || { echo "demo: the sandbox did not start (see $out/sandbox.log)" >&2; exit 1; }
url_of() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" "$out/ports.json"; }
export REFBRIDGE_PING_BASE_URL REFBRIDGE_PRIMERO_BASE_URL REFBRIDGE_PING_TOKEN REFBRIDGE_PRIMERO_PASSWORD
REFBRIDGE_PING_BASE_URL=$(url_of ping_base_url)
REFBRIDGE_PRIMERO_BASE_URL=$(url_of primero_base_url)
REFBRIDGE_PING_TOKEN=$REFBRIDGE_SANDBOX_PING_TOKEN
REFBRIDGE_PRIMERO_PASSWORD=$REFBRIDGE_SANDBOX_PRIMERO_PASSWORD

status=0
run() {  # run <id> <program>
  "$bin/workflows/$2" --config config/demo.yaml --report "$out/$1.json" >"$out/$1.summary" 2>"$out/$1.log" || status=$?
  echo "demo: $(cat "$out/$1.summary")"
}

run 1.1 referrals_to_primero/refbridge-referrals-to-primero
# A caseworker accepts the proGres referral 989-22-PRTITV-0000051 in Primero (the sandbox applies it
# as a Primero PATCH of the service row: last_updated_at moves, so 1.2's cursor sees it).
curl -sf -X POST -d "" "$REFBRIDGE_PING_BASE_URL/_sandbox/primero/services/decide?intervention=989-22-PRTITV-0000051&status=accepted" \
  >/dev/null || { echo "demo: the sandbox refused the decision" >&2; status=1; }
run 1.2 decisions_to_progres/refbridge-decisions-to-progres
run 2.1 referrals_to_progres/refbridge-referrals-to-progres
run 2.2 decisions_to_primero/refbridge-decisions-to-primero

# Reconciliation: every record the ledger says was delivered is re-read in its destination.
for w in referrals_to_primero/refbridge-referrals-to-primero decisions_to_progres/refbridge-decisions-to-progres \
         referrals_to_progres/refbridge-referrals-to-progres decisions_to_primero/refbridge-decisions-to-primero; do
  "$bin/workflows/$w" --config config/demo.yaml --verify >"$out/verify.txt" 2>>"$out/verify.log" || status=$?
  echo "demo: $(tail -n 1 "$out/verify.txt")"
done

stop_sandbox
trap - EXIT
"$bin/tools/ledger/refbridge-ledger" --ledger "$out/ledger.sqlite" summary >"$out/ledger-summary.txt" 2>&1 || true
cases=$(grep -o '"case_id" *:' "$out/primero-cases.json" 2>/dev/null | wc -l || true)
echo "demo: Primero sandbox holds ${cases} case(s); reports, sandbox dumps and the ledger in demo-out/"
exit "$status"
