#pragma once
// Deployment profile: the lookup tables and constants a mapping uses, as data (YAML), so that a
// deployment changes its service, language and sex code tables and its constants without
// touching C++. Shipped default: schemas/profiles/gambella.yaml.
// YAML shape:
//   profile: gambella
//   constants: { intake_user: "...", module_id: "primeromodule-cp", ... }
//   lookups:
//     service_type:                # table name used by mapping specs
//       entries: { "Alternative Care": alternative_care, ... }
//       default: null              # optional; absent = no default (unknown key is "not found")
// Source of the shipped tables: ../shared/docs/openfn-primero-progres.md §8.

#include "refbridge/error.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge {

struct LookupTable {
  std::map<std::string, std::string> entries;   ///< exact, case-sensitive keys
  std::optional<std::string> default_value;      ///< used for keys not in `entries`, when set

  /// The mapped value, else the default, else std::nullopt.
  [[nodiscard]] std::optional<std::string> find(std::string_view key) const;
  /// True when `key` has its own entry (the default does not count).
  [[nodiscard]] bool contains(std::string_view key) const;
};

struct Profile {
  std::string name;
  std::map<std::string, std::string> constants;
  std::map<std::string, LookupTable> lookups;

  /// Errors: kConfig "profile '<name>' has no constant '<key>'".
  [[nodiscard]] Result<std::string> constant(std::string_view key) const;
  /// Errors: kConfig "profile '<name>' has no lookup table '<table>'".
  [[nodiscard]] Result<const LookupTable*> lookup(std::string_view table) const;
};

/// Loads a profile YAML file. Errors: kIo (unreadable), kInvalidInput (YAML error with line:column,
/// or a wrong shape with the key path).
Result<Profile> load_profile(const std::string& path);
/// Same, from YAML text (`origin` names the source in error messages).
Result<Profile> parse_profile(std::string_view yaml_text, std::string_view origin);

}  // namespace refbridge
