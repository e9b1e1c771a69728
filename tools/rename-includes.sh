#!/usr/bin/env bash
# Moves the project's own includes of the generated bindings to their installed paths:
#   #include "primero/client.h"   ->  #include "refbridge/primero/client.h"
#   #include "ping/models.h"      ->  #include "refbridge/ping/models.h"
#   #include "mappings/<f>.h"     ->  #include "refbridge/mappings/<f>.h"
# and makes the generator emit those paths (schemas/codegen.yaml `include_root: refbridge`),
# turns the transitional layout off (cmake/IncludeLayout.cmake REFBRIDGE_LEGACY_API_INCLUDES),
# and regenerates generated/ with the tree's own refbridge-codegen.
#
# Idempotent and re-runnable: it touches only what still has the old form, so it can be run again
# on a merged tree (new files with old includes get rewritten, nothing else changes).
#   tools/rename-includes.sh [build-dir]     build-dir: a configured build (default build/asan) whose
#                                            refbridge-codegen is built and used (REFBRIDGE_CODEGEN=<exe>: that one)
# Then: cmake --build <build-dir> && ctest --test-dir <build-dir>; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/asan}
dirs='ping|primero|mappings'

# 1. Hand-written C++ (everything tracked except generated/, which step 4 rewrites).
mapfile -t sources < <(git ls-files -- '*.h' '*.hh' '*.hpp' '*.cc' '*.cpp' '*.inc' | grep -v '^generated/' || true)
changed=0
for f in "${sources[@]}"; do
  if grep -Eq "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"($dirs)/" "$f"; then
    sed -E -i "s@^([[:space:]]*#[[:space:]]*include[[:space:]]+\")($dirs)/@\\1refbridge/\\2/@" "$f"
    changed=$((changed + 1))
  fi
done
echo "rename-includes: rewrote includes in $changed files"

# 2. The generator's configuration: the project's bindings include each other as refbridge/<dir>/.
if ! grep -q '^include_root:' schemas/codegen.yaml; then
  sed -i '0,/^apis:/s//# Generated code includes its own headers as "refbridge\/<dir>\/..." (the installed layout, doc\/sdk.md).\ninclude_root: refbridge\napis:/' \
    schemas/codegen.yaml
fi
# The mapping drift test compiles the specs as schemas/codegen.yaml does: same include root.
sed -E -i 's@("generated/mappings", apis\(\))\)@\1, "refbridge")@' \
  tests/mapping/compiler_test.cc

# The comments that name the include paths.
sed -E -i "s@\"($dirs)/@\"refbridge/\\1/@g" generated/CMakeLists.txt generated/mappings/CMakeLists.txt

# 3. Build and install layout: no generated/ on the include path, no -idirafter compatibility.
sed -i 's/^set(REFBRIDGE_LEGACY_API_INCLUDES ON)/set(REFBRIDGE_LEGACY_API_INCLUDES OFF)/' cmake/IncludeLayout.cmake

# 4. Regenerate with the tree's generator (or REFBRIDGE_CODEGEN, a refbridge-codegen built from it).
codegen=${REFBRIDGE_CODEGEN:-}
if [[ -z "$codegen" ]]; then
  cmake "$build" >/dev/null
  cmake --build "$build" --target refbridge-codegen
  codegen="$build/codegen/refbridge-codegen"
fi
"$codegen" generate --config schemas/codegen.yaml --root . --out-root .

# 5. Nothing may keep the old form.
if git grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"($dirs)/" -- '*.h' '*.hh' '*.hpp' '*.cc' '*.cpp' '*.inc'; then
  echo "rename-includes: the includes above still use the old paths" >&2
  exit 1
fi
echo "rename-includes: done; build, run the tests and commit"
