// Mapping compiler: checks a parsed mapping spec (mapping_spec.h) against the APIs' IR and the
// profile, then emits the transform. See mapping_compiler.h for the contract.
//
// Emitted code shape (deterministic: spec order everywhere, no timestamps):
//   1. profile data (constants, lookup tables) fetched once (kConfig when missing);
//   2. one `const T* const src_...` per source path (nullptr = absent), or a
//      `std::vector<const T*>` for paths through a list;
//   3. `require:` check (rule required-fields), then the gates;
//   4. one local per target model node (root, services_section[0], ...), one block per rule,
//      then the nodes are assembled bottom-up.
#include "mapping_compiler.h"
#include "mapping_compiler_impl.h"

namespace refbridge::codegen {

using mapping_detail::Compiler;
using mapping_detail::Diagnostics;
using mapping_detail::join;
using mapping_detail::SpecProfile;
refbridge::Result<std::vector<GeneratedFile>> generate_mapping(const std::filesystem::path& root,
                                                               const std::string& spec_rel_path,
                                                               const std::string& profile_rel_path,
                                                               const std::string& out_rel_dir,
                                                               const std::map<std::string, ir::Api>& apis,
                                                               const std::string& include_root) {
  return generate_mapping(root, spec_rel_path, std::vector<std::string>{profile_rel_path}, out_rel_dir, apis,
                          include_root);
}

refbridge::Result<std::vector<GeneratedFile>> generate_mapping(const std::filesystem::path& root,
                                                               const std::string& spec_rel_path,
                                                               const std::vector<std::string>& profile_rel_paths,
                                                               const std::string& out_rel_dir,
                                                               const std::map<std::string, ir::Api>& apis,
                                                               const std::string& include_root,
                                                               RequirementPlan* plan) {
  if (profile_rel_paths.empty()) return make_error(ErrorCode::kConfig, spec_rel_path + ": no profile to check against");
  Diagnostics diags;
  REFBRIDGE_TRY(const mapping::Mapping spec, mapping_detail::parse_mapping_spec(root, spec_rel_path, diags));
  // The same spec is checked against every profile; the emitted code does not depend on the
  // profile (tables and constants are read at run time), so the first profile's output is kept.
  std::vector<GeneratedFile> files;
  for (const auto& profile_rel_path : profile_rel_paths) {
    REFBRIDGE_TRY(const SpecProfile profile, mapping_detail::load_spec_profile(root, profile_rel_path));
    std::vector<GeneratedFile> out;
    Compiler compiler(spec, profile, apis, diags);
    compiler.set_profiles_note(join(profile_rel_paths, ", "));
    compiler.set_include_root(include_root);
    if (compiler.run(out_rel_dir, out) && files.empty()) {
      files = std::move(out);
      if (plan != nullptr) *plan = compiler.requirement_plan();
    }
  }
  if (!diags.empty() || files.empty()) return make_error(ErrorCode::kInvalidInput, diags.render());
  return files;
}

}  // namespace refbridge::codegen
