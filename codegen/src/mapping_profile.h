#pragma once
// The deployment profile as the mapping compiler sees it: the same YAML shape as
// refbridge::load_profile (sdk/include/refbridge/profile.h) but with the source location of every
// table, entry and constant, so that generation-time checks point into the profile file.

#include "ir.pb.h"
#include "refbridge/error.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace refbridge::codegen::mapping_detail {

struct ProfileEntry {
  std::string key;
  std::string value;
  ir::SourceLocation location;  // of the value
};

struct ProfileTable {
  std::vector<ProfileEntry> entries;  // in file order
  std::optional<ProfileEntry> default_value;
  std::vector<std::string> unconfirmed;  // keys of `unconfirmed: {keys, note}` (each one an entry key)
  ir::SourceLocation location;
};

struct SpecProfile {
  std::string name;
  std::string file;  // repository-relative
  std::map<std::string, ProfileEntry> constants;
  std::map<std::string, ProfileTable> lookups;
};

/// Loads root/rel_path. Errors: kIo, kInvalidInput "file:line:col: message" (also: an `unconfirmed`
/// key that is not an entry of its table, with a suggestion).
refbridge::Result<SpecProfile> load_spec_profile(const std::filesystem::path& root, const std::string& rel_path);

}  // namespace refbridge::codegen::mapping_detail
