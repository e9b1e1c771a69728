// See mapping_profile.h.
#include "mapping_profile.h"

#include "mapping_diagnostics.h"
#include "yaml_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace refbridge::codegen::mapping_detail {
namespace {

ir::SourceLocation loc(const std::string& file, const YAML::Node& n) {
  ir::SourceLocation l;
  l.set_file(file);
  l.set_line(n.Mark().line + 1);
  l.set_column(n.Mark().column + 1);
  return l;
}

Error at(const std::string& file, const YAML::Mark& m, const std::string& msg) { return yaml_error(file, m, msg); }

}  // namespace

refbridge::Result<SpecProfile> load_spec_profile(const std::filesystem::path& root, const std::string& rel_path) {
  REFBRIDGE_TRY(const YAML::Node doc, load_yaml_file(root, rel_path, "profile file"));
  SpecProfile p;
  p.file = rel_path;
  if (!doc.IsMap()) return at(rel_path, doc.Mark(), "a profile is a mapping with keys profile, constants, lookups");
  if (!doc["profile"] || !doc["profile"].IsScalar()) return at(rel_path, doc.Mark(), "missing 'profile: <name>'");
  p.name = doc["profile"].Scalar();
  if (const auto c = doc["constants"]) {
    if (!c.IsMap()) return at(rel_path, c.Mark(), "'constants' must be a mapping");
    for (const auto& kv : c) {
      if (!kv.second.IsScalar()) return at(rel_path, kv.second.Mark(), "constant '" + kv.first.Scalar() + "' must be a string");
      p.constants[kv.first.Scalar()] = ProfileEntry{kv.first.Scalar(), kv.second.Scalar(), loc(rel_path, kv.second)};
    }
  }
  if (const auto l = doc["lookups"]) {
    if (!l.IsMap()) return at(rel_path, l.Mark(), "'lookups' must be a mapping");
    for (const auto& kv : l) {
      ProfileTable t;
      t.location = loc(rel_path, kv.first);
      const std::string table = kv.first.Scalar();
      if (!kv.second.IsMap() || !kv.second["entries"] || !kv.second["entries"].IsMap()) {
        return at(rel_path, kv.second.Mark(), "lookup '" + table + "' needs 'entries:' (a mapping)");
      }
      for (const auto& e : kv.second["entries"]) {
        if (!e.second.IsScalar()) return at(rel_path, e.second.Mark(), "lookup '" + table + "' entry values must be strings");
        t.entries.push_back(ProfileEntry{e.first.Scalar(), e.second.Scalar(), loc(rel_path, e.second)});
      }
      if (const auto u = kv.second["unconfirmed"]) {
        // unconfirmed: {keys: [<entry key>...], note: <why, with the § reference>} (refbridge/profile.h)
        if (!u.IsMap() || !u["keys"] || !u["keys"].IsSequence() || !u["note"] || !u["note"].IsScalar() ||
            u["note"].Scalar().empty()) {
          return at(rel_path, u.Mark(), "lookup '" + table + "' unconfirmed needs keys (a list of entry keys) and note");
        }
        std::vector<std::string> keys;
        for (const auto& e : t.entries) keys.push_back(e.key);
        for (const auto& k : u["keys"]) {
          if (!k.IsScalar()) return at(rel_path, k.Mark(), "lookup '" + table + "' unconfirmed keys must be strings");
          if (std::find(keys.begin(), keys.end(), k.Scalar()) == keys.end()) {
            return at(rel_path, k.Mark(), "lookup '" + table + "' marks '" + k.Scalar() +
                                              "' unconfirmed, but it is not an entry of the table." +
                                              did_you_mean(k.Scalar(), keys));
          }
          t.unconfirmed.push_back(k.Scalar());
        }
      }
      if (const auto d = kv.second["default"]; d && !d.IsNull()) {
        if (!d.IsScalar()) return at(rel_path, d.Mark(), "lookup '" + table + "' default must be a string or null");
        t.default_value = ProfileEntry{"", d.Scalar(), loc(rel_path, d)};
      }
      p.lookups[table] = std::move(t);
    }
  }
  return p;
}

}  // namespace refbridge::codegen::mapping_detail
