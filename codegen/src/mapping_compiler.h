#pragma once
// Mapping compiler: a declarative mapping spec (schemas/mappings/*.yaml, format in mapping_spec.h
// and at the top of each spec) + the source/target APIs' IR + a deployment profile -> a typed C++
// transform under generated/mappings/ (namespace refbridge::mappings).
//
// Every mistake is reported at generation time as "spec-file:line:col: message" (all at once,
// MapStruct-style wording, "Did you mean 'x'?" by edit distance): unknown source/target path,
// unmapped required target member, type mismatch without a conversion, optional source into a
// required target without default/require, lookup table or constant missing from the profile,
// lookup value outside the target's enum, a `when: create` rule on a required member, lossy
// conversions not declared (int64 -> int32 without `lossy: narrowing`, date-time -> date without a
// conversion), a lookup over an enum source that is not total and states no on_missing, a lookup
// `join:` over a single value, `on_missing: passthrough` with a non-string side, a `when: {target,
// equals}` on a member no earlier rule sets / with a value outside its enum / guarding a required
// member, an `unconfirmed:` profile key that is no entry, and in `strict:` mode unused lookup
// entries and unused source members (`ignore_sources:` with reasons).
// What the generator cannot see (hand-written conversion signatures) is checked by static_asserts
// in the generated code, so a mismatch fails at C++ compile time, never at run time.

#include "generated_file.h"
#include "ir.pb.h"
#include "requirement_plan.h"
#include "refbridge/error.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace refbridge::codegen {

/// Compiles root/spec_rel_path against `apis` (keyed by API name, e.g. "ping", "primero") and the
/// profile root/profile_rel_path; returns <out_rel_dir>/<function>.h and .cc. `include_root`
/// (codegen.yaml `include_root:`) prefixes the emitted project includes: "refbridge" gives
/// "refbridge/ping/models.h" and "refbridge/<last dir of out_rel_dir>/<function>.h"; empty: none.
/// Errors: kIo (unreadable spec/profile), kInvalidInput (all diagnostics, one per line,
/// "file:line:col: message", sorted by position).
refbridge::Result<std::vector<GeneratedFile>> generate_mapping(const std::filesystem::path& root,
                                                               const std::string& spec_rel_path,
                                                               const std::string& profile_rel_path,
                                                               const std::string& out_rel_dir,
                                                               const std::map<std::string, ir::Api>& apis,
                                                               const std::string& include_root = {});

/// Same, checked against every profile in `profile_rel_paths` (codegen.yaml `profiles: [a, b]`):
/// every profile's diagnostics are reported (a spec-located one once); the output does not depend
/// on the profile. kConfig when the list is empty. `plan`, when given, receives the spec's Primero
/// requirements as data (requirement_plan.h; for the deployment checks, deployment_check.h).
refbridge::Result<std::vector<GeneratedFile>> generate_mapping(const std::filesystem::path& root,
                                                               const std::string& spec_rel_path,
                                                               const std::vector<std::string>& profile_rel_paths,
                                                               const std::string& out_rel_dir,
                                                               const std::map<std::string, ir::Api>& apis,
                                                               const std::string& include_root = {},
                                                               RequirementPlan* plan = nullptr);

}  // namespace refbridge::codegen
