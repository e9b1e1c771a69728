#pragma once
// The generator's top level: codegen.yaml, generation of every API (and every mapping through the
// mapping compiler), writing and drift checking. Used by main.cc and the tests.

#include "deployment_models.h"
#include "generated_file.h"
#include "requirement_plan.h"
#include "ir.pb.h"
#include "refbridge/error.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace refbridge::codegen {

struct ApiConfig {
  std::string name;       // "ping"
  std::string spec;       // repository-relative, "schemas/ping/openapi.yaml"
  std::string cpp_namespace;  // "refbridge::ping"
  std::string out;        // repository-relative output dir, "generated/ping"
};

struct MappingConfig {
  std::string spec;     // "schemas/mappings/progres-referral-to-primero-case.yaml"
  std::string out;      // "generated/mappings"
  std::string profile;  // "schemas/profiles/gambella.yaml"
  // `profiles: [a, b]` instead of `profile:`: the spec is checked against each (the first is
  // `profile`); the transform is the same for all (profile data is read at run time).
  std::vector<std::string> profiles;
};

struct CodegenConfig {
  std::vector<ApiConfig> apis;
  std::vector<MappingConfig> mappings;
  /// `deployments:` (deployment_models.h): typed models per Primero deployment, and every mapping
  /// spec checked against the deployment's configuration with its profile (deployment_check.h).
  std::vector<DeploymentConfig> deployments;
  // Optional top-level `include_root: refbridge`: generated code includes its own headers as
  // "<include_root>/<last dir of out>/models.h" (the installed layout, doc/sdk.md); empty: "<dir>/models.h".
  std::string include_root;
};

/// Parses codegen.yaml. Errors: kIo, kInvalidInput "file:line:col: message".
Result<CodegenConfig> load_config(const std::filesystem::path& file);

/// Loads every API (name -> IR). Errors: the loader's.
Result<std::map<std::string, ir::Api>> load_apis(const std::filesystem::path& root, const CodegenConfig& config);

/// Every file of every API and mapping, sorted by path (paths relative to the output root).
Result<std::vector<GeneratedFile>> generate_all(const std::filesystem::path& root, const CodegenConfig& config);

/// Every plan (the mappings' Primero requirements) with d's profile against d's overlay
/// (deployment_check.h). Errors: kIo, the loaders' kInvalidInput, kInvalidInput listing every gap
/// as "spec:line:col: deployment '<name>' (<overlay>): ...", one per line.
Result<void> check_deployment_mappings(const std::filesystem::path& root, const DeploymentConfig& d,
                                       const std::vector<RequirementPlan>& plans);

/// Writes files under out_root (creating directories; a file whose content is unchanged is not touched).
Result<void> write_files(const std::filesystem::path& out_root, const std::vector<GeneratedFile>& files);

/// Paths (relative to `against`) that differ from `files`: "changed: x", "missing: x", and
/// "extra: x" for files in an API output dir that the generator would not write.
std::vector<std::string> compare_files(const std::filesystem::path& against, const std::vector<GeneratedFile>& files,
                                       const CodegenConfig& config);

}  // namespace refbridge::codegen
