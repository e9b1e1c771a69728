#!/usr/bin/env bash
# "package: install and consume" (tests/package/CMakeLists.txt). Usage:
#   install_consume.sh <build-dir> <source-dir> <c++ compiler> <version>
# 1. cmake --install of the build into a temporary prefix; checks the installed layout.
# 2. examples/ configured and built as a separate project with find_package(refbridge CONFIG
#    REQUIRED) (prints the consumer's configure+build time), its tests run; a request for an
#    incompatible version (next major) is refused (SameMajorVersion).
# 3. primero_list_cases against the installed refbridge-sandbox (ephemeral port, 23 cases, 10 a page).
# 4. primero_case_edit built with pkg-config (refbridge.pc) only, and run.
set -euo pipefail
build=$1 source=$2 cxx=$3 version=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/refbridge-consume.XXXXXX")
sandbox_pid=""
cleanup() {
  if [[ -n "$sandbox_pid" ]]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
prefix="$work/prefix"

echo "== 1. install into $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in include/refbridge/error.h include/refbridge/json.h include/refbridge/primero/client.h \
         include/refbridge/primero/models.h include/refbridge/primero/fake.h include/refbridge/ping/models.h \
         include/refbridge/ping/client.h include/refbridge/mappings/progres_referral_to_primero_case.h \
         lib/librefbridge_sdk.a lib/librefbridge_ledger.a lib/librefbridge_ping_api.a lib/librefbridge_primero_api.a \
         lib/librefbridge_ping_fake.a lib/librefbridge_primero_fake.a lib/librefbridge_mappings.a \
         lib/cmake/refbridge/refbridgeConfig.cmake lib/cmake/refbridge/refbridgeConfigVersion.cmake \
         lib/cmake/refbridge/refbridgeTargets.cmake lib/cmake/refbridge/refbridgeGenerate.cmake \
         lib/pkgconfig/refbridge.pc bin/refbridge-codegen bin/refbridge-sandbox bin/refbridge-ledger \
         bin/refbridge-referrals-to-primero bin/refbridge-decisions-to-progres bin/refbridge-referrals-to-progres \
         bin/refbridge-decisions-to-primero lib/systemd/system/refbridge-referrals-to-primero.service \
         share/doc/refbridge/sdk/sdk.md share/doc/refbridge/examples/CMakeLists.txt; do
  [[ -e "$prefix/$f" ]] || fail "not installed: $f"
done
for d in include/primero include/ping include/mappings; do
  [[ ! -e "$prefix/$d" ]] || fail "top-level $d installed: the SDK's headers belong under include/refbridge/"
done
grep -q "ExecStart=$prefix/bin/refbridge-referrals-to-primero " "$prefix/lib/systemd/system/refbridge-referrals-to-primero.service" ||
  fail "the systemd unit does not name the installed program"
echo "installed: $(find "$prefix" -type f | wc -l) files, $(du -sk "$prefix" | cut -f1) KiB"

echo "== 2. find_package(refbridge CONFIG REQUIRED) from examples/"
start=$(date +%s%N)
cmake -S "$source/examples" -B "$work/examples" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
      >"$work/configure.log" || { cat "$work/configure.log"; fail "examples: configure"; }
configured=$(date +%s%N)
cmake --build "$work/examples" -j 2 >"$work/build.log" || { cat "$work/build.log"; fail "examples: build"; }
built=$(date +%s%N)
printf 'consumer: configure %.1f s, build %.1f s (4 examples + the generated pets bindings)\n' \
  "$(( (configured - start) / 1000000 ))e-3" "$(( (built - configured) / 1000000 ))e-3"
ctest --test-dir "$work/examples" --output-on-failure || fail "examples: tests"
[[ -x "$work/examples/pets_example" ]] || fail "example 4 (refbridge_generate) was not built: refbridge::codegen missing?"
"$work/examples/primero_case_edit" | grep -q '"status":"closed".*"x_gambella_camp":"Nguenyyiel"' ||
  fail "primero_case_edit: the custom member is not kept after the edit"
cmake --build "$work/examples" --target pets_api-schema-diff >"$work/diff.log" || { cat "$work/diff.log"; fail "schema diff"; }
grep -q "tags" "$work/diff.log" || { cat "$work/diff.log"; fail "schema diff does not report the new member"; }

major=${version%%.*}
mkdir -p "$work/next-major"
printf 'cmake_minimum_required(VERSION 3.25)\nproject(next NONE)\nfind_package(refbridge %s CONFIG)\nif(refbridge_FOUND)\n  message(FATAL_ERROR "refbridge %s accepted for %s")\nendif()\n' \
  "$((major + 1)).0" "$version" "$((major + 1)).0" >"$work/next-major/CMakeLists.txt"
cmake -S "$work/next-major" -B "$work/next-major/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1 ||
  fail "find_package(refbridge $((major + 1)).0) found $version (SameMajorVersion)"

echo "== 3. primero_list_cases against the installed sandbox"
"$prefix/bin/refbridge-sandbox" --ping-port 0 --primero-port 0 --ports-file "$work/ports.json" \
  --synthetic-primero-cases 23 >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 300); do [[ -s "$work/ports.json" ]] && break; sleep 0.1; done
[[ -s "$work/ports.json" ]] || { cat "$work/sandbox.log"; fail "the sandbox did not start"; }
primero_url=$(sed -n 's/.*"primero_base_url" *: *"\([^"]*\)".*/\1/p' "$work/ports.json")
[[ -n "$primero_url" ]] || fail "no primero_base_url in $(cat "$work/ports.json")"
REFBRIDGE_PRIMERO_PASSWORD=example-password "$work/examples/primero_list_cases" "$primero_url" primero_api 10 \
  >"$work/list.log" || { cat "$work/list.log"; fail "primero_list_cases"; }
cat "$work/list.log"
grep -qx "23 cases in 3 pages" "$work/list.log" || fail "expected 23 cases in 3 pages of 10"

echo "== 4. pkg-config --cflags --libs refbridge"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pkg-config --exists refbridge || fail "pkg-config does not find refbridge.pc"
[[ "$(pkg-config --modversion refbridge)" == "$version" ]] || fail "refbridge.pc version"
# shellcheck disable=SC2046  # the flags are words
"$cxx" -std=c++20 $(pkg-config --cflags refbridge) "$source/examples/primero_case_edit.cc" -o "$work/case_edit_pc" \
  $(pkg-config --libs refbridge) || fail "pkg-config build of primero_case_edit"
"$work/case_edit_pc" >/dev/null || fail "primero_case_edit built with pkg-config"
echo "install and consume: ok"
