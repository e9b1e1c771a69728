// Deployment profile loader (yaml-cpp). Shape and contract: refbridge/profile.h.
// Every error names the origin and either the YAML position (line:column, 1-based) or the key
// path of the offending node; lookup entries and constants are configuration, not personal data,
// but messages still name keys only, never values.

#include "refbridge/profile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace refbridge {

std::optional<std::string> LookupTable::find(std::string_view key) const {
  if (auto it = entries.find(std::string(key)); it != entries.end()) return it->second;
  return default_value;
}

bool LookupTable::contains(std::string_view key) const { return entries.count(std::string(key)) != 0; }

Result<std::string> Profile::constant(std::string_view key) const {
  if (auto it = constants.find(std::string(key)); it != constants.end()) return it->second;
  return make_error(ErrorCode::kConfig, "profile '" + name + "' has no constant '" + std::string(key) + "'");
}

Result<const LookupTable*> Profile::lookup(std::string_view table) const {
  if (auto it = lookups.find(std::string(table)); it != lookups.end()) return &it->second;
  return make_error(ErrorCode::kConfig, "profile '" + name + "' has no lookup table '" + std::string(table) + "'");
}

std::vector<std::string> unconfirmed_entries(const Profile& profile, std::span<const std::string_view> tables) {
  std::vector<std::string> lines;
  std::vector<std::string_view> seen;
  for (const std::string_view table : tables) {
    if (std::find(seen.begin(), seen.end(), table) != seen.end()) continue;
    seen.push_back(table);
    const auto it = profile.lookups.find(std::string(table));
    if (it == profile.lookups.end()) continue;
    const LookupTable& t = it->second;
    for (const std::string& key : t.unconfirmed) {
      lines.push_back("profile '" + profile.name + "', lookup " + std::string(table) + ": '" + key + "' -> '" +
                      t.entries.at(key) + "' is unconfirmed: " + t.unconfirmed_note);
    }
  }
  return lines;
}

namespace {

std::string where(std::string_view origin, const YAML::Mark& mark) {
  std::string out(origin);
  if (!mark.is_null()) out += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  return out;
}

Error shape_error(std::string_view origin, const YAML::Node& node, const std::string& key_path,
                  const std::string& what) {
  return make_error(ErrorCode::kInvalidInput, where(origin, node.Mark()) + ": " + key_path + ": " + what);
}

Result<std::string> scalar(std::string_view origin, const YAML::Node& node, const std::string& key_path) {
  if (!node.IsScalar()) return shape_error(origin, node, key_path, "expected a string");
  return node.Scalar();
}

Result<Profile> parse_root(const YAML::Node& root, std::string_view origin) {
  if (!root.IsMap()) return shape_error(origin, root, "$", "expected a mapping with keys profile, constants, lookups");
  Profile p;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (key != "profile" && key != "constants" && key != "lookups" && key != "description") {
      return shape_error(origin, kv.first, key, "unknown key (expected profile, description, constants or lookups)");
    }
  }
  const YAML::Node name = root["profile"];
  if (!name) return shape_error(origin, root, "profile", "missing");
  REFBRIDGE_TRY(p.name, scalar(origin, name, "profile"));

  if (const YAML::Node constants = root["constants"]) {
    if (!constants.IsMap()) return shape_error(origin, constants, "constants", "expected a mapping");
    for (const auto& kv : constants) {
      const std::string key = kv.first.Scalar();
      REFBRIDGE_TRY(auto value, scalar(origin, kv.second, "constants." + key));
      p.constants.emplace(key, std::move(value));
    }
  }
  if (const YAML::Node lookups = root["lookups"]) {
    if (!lookups.IsMap()) return shape_error(origin, lookups, "lookups", "expected a mapping");
    for (const auto& kv : lookups) {
      const std::string table = kv.first.Scalar();
      const std::string base = "lookups." + table;
      const YAML::Node& t = kv.second;
      if (!t.IsMap()) return shape_error(origin, t, base, "expected a mapping with keys entries, default");
      LookupTable lt;
      for (const auto& tkv : t) {
        const std::string k = tkv.first.Scalar();
        if (k != "entries" && k != "default" && k != "description" && k != "unconfirmed") {
          return shape_error(origin, tkv.first, base + "." + k,
                             "unknown key (expected entries, default, unconfirmed or description)");
        }
      }
      const YAML::Node entries = t["entries"];
      if (!entries) return shape_error(origin, t, base + ".entries", "missing");
      if (!entries.IsMap()) return shape_error(origin, entries, base + ".entries", "expected a mapping");
      for (const auto& e : entries) {
        const std::string key = e.first.Scalar();
        REFBRIDGE_TRY(auto value, scalar(origin, e.second, base + ".entries." + key));
        if (!lt.entries.emplace(key, std::move(value)).second) {
          return shape_error(origin, e.first, base + ".entries." + key, "duplicate key");
        }
      }
      if (const YAML::Node d = t["default"]; d && !d.IsNull()) {
        REFBRIDGE_TRY(auto value, scalar(origin, d, base + ".default"));
        lt.default_value = std::move(value);
      }
      if (const YAML::Node u = t["unconfirmed"]) {
        // unconfirmed: {keys: [<entry key>...], note: <text>}
        const std::string ub = base + ".unconfirmed";
        if (!u.IsMap()) return shape_error(origin, u, ub, "expected a mapping with keys keys, note");
        for (const auto& ukv : u) {
          const std::string k = ukv.first.Scalar();
          if (k != "keys" && k != "note") return shape_error(origin, ukv.first, ub + "." + k, "unknown key (expected keys or note)");
        }
        const YAML::Node keys = u["keys"];
        if (!keys || !keys.IsSequence()) return shape_error(origin, u, ub + ".keys", "expected a list of entry keys");
        if (!u["note"]) return shape_error(origin, u, ub + ".note", "missing (say why the entries are doubtful)");
        REFBRIDGE_TRY(lt.unconfirmed_note, scalar(origin, u["note"], ub + ".note"));
        for (const auto& k : keys) {
          REFBRIDGE_TRY(auto key, scalar(origin, k, ub + ".keys"));
          if (!lt.entries.count(key)) return shape_error(origin, k, ub + ".keys", "'" + key + "' is not an entry key");
          if (std::find(lt.unconfirmed.begin(), lt.unconfirmed.end(), key) != lt.unconfirmed.end()) {
            return shape_error(origin, k, ub + ".keys", "'" + key + "' listed twice");
          }
          lt.unconfirmed.push_back(std::move(key));
        }
      }
      p.lookups.emplace(table, std::move(lt));
    }
  }
  return p;
}

}  // namespace

Result<Profile> parse_profile(std::string_view yaml_text, std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    // e.msg is yaml-cpp's reason without the position; the position is rendered as origin:line:col.
    return make_error(ErrorCode::kInvalidInput, where(origin, e.mark) + ": invalid YAML: " + e.msg);
  }
  try {
    return parse_root(root, origin);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kInvalidInput, where(origin, e.mark) + ": " + e.msg);
  }
}

Result<Profile> load_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read profile file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(ErrorCode::kIo, "error while reading profile file '" + path + "'");
  return parse_profile(ss.str(), path);
}

}  // namespace refbridge
