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
//       unconfirmed:               # optional: entries the deployment has yet to confirm
//         keys: ["Family Tracing and Reunification"]   # keys of `entries`
//         note: "§8.1/§12.9: ..."  # why they are doubtful, with the § reference
// Source of the shipped tables: ../shared/docs/openfn-primero-progres.md §8.

#include "refbridge/error.h"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge {

struct LookupTable {
  std::map<std::string, std::string> entries;   ///< exact, case-sensitive keys
  std::optional<std::string> default_value;      ///< used for keys not in `entries`, when set
  /// Keys of `entries` the deployment has not confirmed (file order; the loader checks each is an
  /// entry). They are used like any other entry; unconfirmed_entries() lists them for a warning.
  std::vector<std::string> unconfirmed;
  std::string unconfirmed_note;                  ///< why they are doubtful (with the § reference)

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

/// One human-readable line per unconfirmed entry of the named `tables` of `profile`, tables in the
/// given order, keys in file order:
///   "profile 'gambella', lookup service_type: 'Family Tracing and Reunification' -> 'food' is
///    unconfirmed: <note>"
/// for a workflow to log as warnings at start-up (configuration, never personal data). A table the
/// profile lacks is skipped (<mapping>_check_profile reports it); a table named twice is listed once.
/// Each generated transform has <function>_unconfirmed_entries(profile) over the tables it uses.
std::vector<std::string> unconfirmed_entries(const Profile& profile, std::span<const std::string_view> tables);

/// Loads a profile YAML file. Errors: kIo (unreadable), kInvalidInput (YAML error with line:column,
/// or a wrong shape with the key path).
Result<Profile> load_profile(const std::string& path);
/// Same, from YAML text (`origin` names the source in error messages).
Result<Profile> parse_profile(std::string_view yaml_text, std::string_view origin);

}  // namespace refbridge
