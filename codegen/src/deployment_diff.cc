// Configuration drift between two imports of one Primero instance. See deployment_diff.h.
#include "deployment_diff.h"

#include "deployment_check.h"
#include "mapping_compiler.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <tuple>

namespace refbridge::codegen {
namespace fs = std::filesystem;
namespace {

using Fields = std::map<std::string, const PrimeroFormField*>;  // "name" or "subform.row_field"

Fields fields_in_scope(const PrimeroConfiguration& c, const PrimeroFormScope& scope) {
  Fields out;
  for (const PrimeroFormSection* s : primero_top_sections(c, scope)) {
    for (const auto& f : s->fields) {
      out.emplace(f.name, &f);
      if (f.type != "subform") continue;
      if (const PrimeroFormSection* rows = primero_subform_section(c, f)) {
        for (const auto& r : rows->fields) out.emplace(f.name + "." + r.name, &r);
      }
    }
  }
  return out;
}

/// What the field holds: "select_box (lookup lookup-gender, multi-select)".
std::string shape(const PrimeroFormField& f) {
  std::string s = f.type;
  std::vector<std::string> parts;
  if (f.option_strings_source) parts.push_back(*f.option_strings_source);
  if (f.option_ids && !f.option_strings_source) parts.push_back("inline options");
  if (f.multi_select) parts.push_back("multi-select");
  if (f.type == "date_field") parts.push_back(f.date_include_time ? "date-time" : "date");
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : " (") + parts[i];
  return parts.empty() ? s : s + ")";
}

std::vector<std::string> options_of(const PrimeroConfiguration& c, const PrimeroFormField& f) {
  if (const std::string lookup = primero_lookup_of(f); !lookup.empty()) {
    const auto it = c.lookups.find(lookup);
    return it == c.lookups.end() ? std::vector<std::string>{} : it->second;
  }
  return f.option_ids.value_or(std::vector<std::string>{});
}

std::string options_name(const PrimeroFormField& f) {
  const std::string lookup = primero_lookup_of(f);
  return lookup.empty() ? "its inline options" : "lookup " + lookup;
}

struct Uses {
  std::map<std::string, std::vector<std::string>> fields;                       // field -> rules
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> values;  // (field, value) -> rules
};

Uses uses_of(const std::vector<PrimeroRequirement>& reqs) {
  Uses u;
  for (const auto& r : reqs) {
    auto& rules = r.value ? u.values[{r.field, *r.value}] : u.fields[r.field];
    if (std::find(rules.begin(), rules.end(), r.rule) == rules.end()) rules.push_back(r.rule);
  }
  return u;
}

template <class Map, class Key>
std::vector<std::string> rules_of(const Map& m, const Key& k) {
  const auto it = m.find(k);
  return it == m.end() ? std::vector<std::string>{} : it->second;
}

void diff_values(const std::string& path, const PrimeroFormField& o, const PrimeroFormField& n,
                 const PrimeroConfiguration& oc, const PrimeroConfiguration& nc, const Uses& uses,
                 std::vector<DriftChange>& out) {
  const auto ov = options_of(oc, o);
  const auto nv = options_of(nc, n);
  if (primero_lookup_of(n).empty() && !n.option_ids) return;  // any value now (a retype, reported as such)
  for (const auto& v : ov) {
    if (std::find(nv.begin(), nv.end(), v) != nv.end()) continue;
    auto rules = rules_of(uses.values, std::make_pair(path, v));
    out.push_back({!rules.empty(), path + " = " + v, "value removed from " + options_name(n), std::move(rules)});
  }
  for (const auto& v : nv) {
    if (std::find(ov.begin(), ov.end(), v) == ov.end()) {
      out.push_back({false, path + " = " + v, "value added to " + options_name(n), {}});
    }
  }
}

}  // namespace

std::string DriftChange::line() const {
  std::string s = std::string(breaking ? "BREAKING" : "compatible") + ": " + subject + ": " + what;
  if (!rules.empty()) {
    s += "; used by";
    for (std::size_t i = 0; i < rules.size(); ++i) s += (i ? ", " : " ") + rules[i];
  }
  return s;
}

bool DriftReport::breaking() const {
  return std::any_of(changes.begin(), changes.end(), [](const DriftChange& c) { return c.breaking; });
}

std::string DriftReport::render() const {
  if (changes.empty()) return "no changes\n";
  std::string out;
  std::size_t broken = 0;
  for (const auto& c : changes) {
    out += c.line() + "\n";
    broken += c.breaking ? 1 : 0;
  }
  return out + "summary: " + std::to_string(broken) + " breaking, " + std::to_string(changes.size() - broken) +
         " compatible change(s)\n";
}

DriftReport diff_configurations(const PrimeroConfiguration& oc, const PrimeroConfiguration& nc,
                                const PrimeroFormScope& scope, const std::vector<PrimeroRequirement>& requirements) {
  const Uses uses = uses_of(requirements);
  const Fields of = fields_in_scope(oc, scope);
  const Fields nf = fields_in_scope(nc, scope);
  DriftReport r;
  for (const auto& [path, o] : of) {
    const auto it = nf.find(path);
    auto rules = rules_of(uses.fields, path);
    if (it == nf.end()) {
      if (!is_primero_system_field(path)) r.changes.push_back({!rules.empty(), path, "field removed", rules});
      continue;
    }
    const PrimeroFormField& n = *it->second;
    if (shape(*o) != shape(n)) {
      r.changes.push_back({!rules.empty(), path, "field retyped: " + shape(*o) + " -> " + shape(n), rules});
    }
    diff_values(path, *o, n, oc, nc, uses, r.changes);
  }
  for (const auto& [path, n] : nf) {
    if (!of.count(path)) r.changes.push_back({false, path, "field added: " + shape(*n), {}});
  }
  std::stable_sort(r.changes.begin(), r.changes.end(), [](const DriftChange& a, const DriftChange& b) {
    return std::make_tuple(!a.breaking, a.subject) < std::make_tuple(!b.breaking, b.subject);
  });
  return r;
}

bool is_deployment_overlay(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("x-refbridge-deployment:", 0) == 0) return true;
    if (!line.empty() && line[0] != '#') return false;  // the key comes first, after the source note
  }
  return false;
}

int run_deployment_diff(const fs::path& root, const std::string& config_rel, const std::string& old_rel,
                        const std::string& new_rel, const std::string& profile_rel, std::ostream& out,
                        std::ostream& err) {
  auto fail = [&](const Error& e) {
    err << "refbridge-codegen: " << e.message << "\n";
    return 2;
  };
  auto oldo = load_overlay(root / old_rel, old_rel);
  if (!oldo) return fail(oldo.error());
  auto newo = load_overlay(root / new_rel, new_rel);
  if (!newo) return fail(newo.error());
  auto cfg = load_config(root / config_rel);
  if (!cfg) return fail(cfg.error());
  std::string profile_path = profile_rel;
  for (const auto& d : cfg.value().deployments) {
    if (profile_path.empty() && d.name == newo.value().source.name) profile_path = d.profile;
  }
  if (profile_path.empty()) {
    return fail(make_error(ErrorCode::kConfig, "diff: no deployment '" + newo.value().source.name + "' in " +
                                                   config_rel + "; name the profile with --profile"));
  }
  auto profile = load_profile((root / profile_path).string());
  if (!profile) return fail(profile.error());
  auto apis = load_apis(root, cfg.value());
  if (!apis) return fail(apis.error());
  std::vector<PrimeroRequirement> reqs;
  for (const auto& m : cfg.value().mappings) {
    RequirementPlan plan;
    if (auto r = generate_mapping(root, m.spec, m.profiles, m.out, apis.value(), cfg.value().include_root, &plan);
        !r) {
      return fail(r.error());
    }
    if (plan.record_type != newo.value().source.record_type) continue;
    auto located = evaluate_plan(plan, profile.value());
    reqs.insert(reqs.end(), located.list.begin(), located.list.end());
  }
  const PrimeroFormScope scope{newo.value().source.record_type, newo.value().source.module_id};
  const DriftReport report = diff_configurations(oldo.value().config, newo.value().config, scope, reqs);
  out << "deployment '" << newo.value().source.name << "': " << old_rel << " (exported "
      << oldo.value().source.exported_at << ") -> " << new_rel << " (exported " << newo.value().source.exported_at
      << "), mappings of " << config_rel << " with profile " << profile_path << "\n"
      << report.render();
  return report.breaking() ? 1 : 0;
}

}  // namespace refbridge::codegen
