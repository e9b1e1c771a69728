#pragma once
// Reading YAML input files (schemas, mapping specs, profiles, codegen.yaml) with positions.
// Every diagnostic is "file:line:col: message" with a repository-relative file and 1-based line
// and column, so an editor can jump to it.

#include "refbridge/error.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace refbridge::codegen {

/// "file:line:col: " for a yaml-cpp mark (yaml-cpp counts from 0; this prints from 1).
std::string yaml_position(const std::string& file, const YAML::Mark& mark);

/// kInvalidInput "file:line:col: message".
Error yaml_error(const std::string& file, const YAML::Mark& mark, const std::string& message);

/// Reads and parses `root / rel_path`. `what` names the document in the I/O error ("schema file").
/// Errors: kIo "cannot read <what> '<rel_path>'"; kInvalidInput "<rel_path>:<line>:<col>: invalid YAML: <reason>".
Result<YAML::Node> load_yaml_file(const std::filesystem::path& root, const std::string& rel_path, std::string_view what);

}  // namespace refbridge::codegen
