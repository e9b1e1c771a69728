#!/usr/bin/env bash
# "package: debian packages" (tests/package/CMakeLists.txt). Usage: debian_packages.sh <build-dir> <version>
# Builds refbridge and librefbridge-dev with CPack from the build tree, checks their control data
# and contents (dpkg-deb --info / --contents), unpacks both into a temporary root and runs every
# program's --version (and refbridge-codegen --help) from there. Prints each package's size and
# Depends line.
set -euo pipefail
build=$1 version=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/refbridge-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB"; }
arch=$(dpkg --print-architecture)
runtime="$work/out/refbridge_${version}_${arch}.deb"
dev="$work/out/librefbridge-dev_${version}_${arch}.deb"
[[ -f "$runtime" && -f "$dev" ]] || { ls -l "$work/out"; fail "expected $(basename "$runtime") and $(basename "$dev")"; }

field() { dpkg-deb --field "$1" "$2"; }
for deb in "$runtime" "$dev"; do
  dpkg-deb --info "$deb" >/dev/null || fail "dpkg-deb --info $(basename "$deb")"
  printf '%s: %s KiB, Installed-Size %s KiB\n  Depends: %s\n' "$(field "$deb" Package)" "$(( $(stat -c %s "$deb") / 1024 ))" \
    "$(field "$deb" Installed-Size)" "$(field "$deb" Depends)"
done
[[ "$(field "$runtime" Package)" == refbridge && "$(field "$dev" Package)" == librefbridge-dev ]] || fail "package names"
[[ "$(field "$runtime" Version)" == "$version" ]] || fail "version"
runtime_depends=$(field "$runtime" Depends)
for dep in libc6 libcurl4 libsqlite3-0 libpq5 libyaml-cpp0.7 libfmt9 libstdc++6; do
  [[ "$runtime_depends" == *"$dep"* ]] || fail "refbridge does not depend on $dep: $runtime_depends"
done
dev_depends=$(field "$dev" Depends)
for dep in libboost-url1.81-dev rapidjson-dev libcurl4-openssl-dev libyaml-cpp-dev libfmt-dev libsqlite3-dev libpq-dev libprotobuf32; do
  [[ "$dev_depends" == *"$dep"* ]] || fail "librefbridge-dev does not depend on $dep: $dev_depends"
done
for dep in libcli11-dev libcpp-httplib-dev libprotobuf-dev catch2; do  # the build's, never the consumer's
  [[ "$runtime_depends $dev_depends" != *"$dep"* ]] || fail "a package depends on $dep"
done

dpkg-deb --contents "$runtime" | awk '{print $NF}' >"$work/runtime.list"
dpkg-deb --contents "$dev" | awk '{print $NF}' >"$work/dev.list"
programs=(refbridge-referrals-to-primero refbridge-decisions-to-progres refbridge-referrals-to-progres
          refbridge-decisions-to-primero refbridge-ledger refbridge-sandbox)
expect() {  # expect <list> <path>...
  local list=$1; shift
  for p in "$@"; do grep -qx "\./$p" "$list" || fail "$(basename "$list" .list) package lacks /$p"; done
}
for p in "${programs[@]}"; do expect "$work/runtime.list" "usr/bin/$p"; done
expect "$work/runtime.list" usr/lib/systemd/system/refbridge-referrals-to-primero.service \
  usr/lib/systemd/system/refbridge-referrals-to-primero.timer usr/lib/sysusers.d/refbridge.conf \
  usr/share/doc/refbridge/config-examples/demo.yaml usr/share/refbridge/profiles/gambella.yaml
expect "$work/dev.list" usr/bin/refbridge-codegen usr/include/refbridge/error.h usr/include/refbridge/primero/client.h \
  usr/include/refbridge/ping/models.h usr/lib/librefbridge_sdk.a usr/lib/librefbridge_primero_api.a \
  usr/lib/cmake/refbridge/refbridgeConfig.cmake usr/lib/cmake/refbridge/refbridgeConfigVersion.cmake \
  usr/lib/cmake/refbridge/refbridgeGenerate.cmake usr/lib/pkgconfig/refbridge.pc usr/share/doc/refbridge/sdk/sdk.md
if grep -q '\.a$\|usr/include/\|refbridge-codegen' "$work/runtime.list"; then fail "development files in the refbridge package"; fi
if grep -q 'usr/bin/refbridge-[rdls]' "$work/dev.list"; then fail "programs in the librefbridge-dev package"; fi

root="$work/root"
dpkg-deb -x "$runtime" "$root"
dpkg-deb -x "$dev" "$root"
for p in "${programs[@]}"; do
  "$root/usr/bin/$p" --version | grep -q "$version" || fail "$p --version from the unpacked package"
done
"$root/usr/bin/refbridge-codegen" --help >/dev/null || fail "refbridge-codegen --help from the unpacked package"
"$root/usr/bin/refbridge-ledger" --help >/dev/null || fail "refbridge-ledger --help from the unpacked package"
grep -q '^ExecStart=/usr/bin/refbridge-referrals-to-primero ' "$root/usr/lib/systemd/system/refbridge-referrals-to-primero.service" ||
  fail "the packaged unit does not run /usr/bin/refbridge-referrals-to-primero"
echo "debian packages: ok"
