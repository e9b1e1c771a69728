#include "driver.h"

#include "deployment_check.h"
#include "emitters.h"
#include "mapping_compiler.h"
#include "schema_loader.h"
#include "yaml_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace refbridge::codegen {
namespace fs = std::filesystem;
namespace {

std::string at(const std::string& file, const YAML::Node& n) { return yaml_position(file, n.Mark()); }

Result<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read " + p.generic_string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<CodegenConfig> load_config(const fs::path& file) {
  auto text = read_text(file);
  if (!text) return text.error();
  const std::string name = file.filename().generic_string();
  try {
    const YAML::Node root = YAML::Load(text.value());
    CodegenConfig cfg;
    auto str = [&](const YAML::Node& n, const char* key, std::string& out) -> Result<void> {
      if (!n[key] || !n[key].IsScalar()) return make_error(ErrorCode::kInvalidInput, at(name, n) + "missing '" + key + "'");
      out = n[key].Scalar();
      return ok();
    };
    if (!root.IsMap() || !root["apis"] || !root["apis"].IsSequence()) {
      return make_error(ErrorCode::kInvalidInput, name + ":1:1: expected a mapping with an `apis:` list");
    }
    if (const auto inc = root["include_root"]) {
      if (!inc.IsScalar()) return make_error(ErrorCode::kInvalidInput, at(name, inc) + "include_root: expected a path");
      cfg.include_root = inc.Scalar();
    }
    for (const auto& a : root["apis"]) {
      ApiConfig api;
      if (auto r = str(a, "name", api.name); !r) return r.error();
      if (auto r = str(a, "spec", api.spec); !r) return r.error();
      if (auto r = str(a, "namespace", api.cpp_namespace); !r) return r.error();
      if (auto r = str(a, "out", api.out); !r) return r.error();
      cfg.apis.push_back(std::move(api));
    }
    if (const auto ms = root["mappings"]; ms && ms.IsSequence()) {
      for (const auto& m : ms) {
        MappingConfig mc;
        if (auto r = str(m, "spec", mc.spec); !r) return r.error();
        if (auto r = str(m, "out", mc.out); !r) return r.error();
        if (const auto ps = m["profiles"]; ps && ps.IsSequence() && ps.size() > 0 && !m["profile"]) {
          for (const auto& p : ps) {
            if (!p.IsScalar()) return make_error(ErrorCode::kInvalidInput, at(name, p) + "profiles: expected paths");
            mc.profiles.push_back(p.Scalar());
          }
          mc.profile = mc.profiles.front();
        } else if (auto r = str(m, "profile", mc.profile); !r) {
          return r.error();
        } else {
          mc.profiles = {mc.profile};
        }
        cfg.mappings.push_back(std::move(mc));
      }
    }
    if (const auto ds = root["deployments"]; ds && ds.IsSequence()) {
      for (const auto& d : ds) {
        DeploymentConfig dc;
        for (auto [key, out] : {std::pair<const char*, std::string*>{"name", &dc.name}, {"overlay", &dc.overlay},
                                {"api", &dc.api}, {"profile", &dc.profile}, {"namespace", &dc.cpp_namespace},
                                {"out", &dc.out}}) {
          if (auto r = str(d, key, *out); !r) return r.error();
        }
        cfg.deployments.push_back(std::move(dc));
      }
    }
    return cfg;
  } catch (const YAML::Exception& e) {
    return yaml_error(name, e.mark, e.msg);
  }
}

Result<std::map<std::string, ir::Api>> load_apis(const fs::path& root, const CodegenConfig& config) {
  std::map<std::string, ir::Api> apis;
  for (const auto& a : config.apis) {
    auto api = load_api(root, a.spec, a.name, a.cpp_namespace);
    if (!api) return api.error();
    apis.emplace(a.name, std::move(api).value());
  }
  return apis;
}

Result<std::vector<GeneratedFile>> generate_all(const fs::path& root, const CodegenConfig& config) {
  auto apis = load_apis(root, config);
  if (!apis) return apis.error();
  std::vector<GeneratedFile> files;
  for (const auto& a : config.apis) {
    auto out = emit_api(apis.value().at(a.name), a.out, config.include_root);
    files.insert(files.end(), out.begin(), out.end());
  }
  std::vector<RequirementPlan> plans;
  for (const auto& m : config.mappings) {
    RequirementPlan plan;
    auto out = generate_mapping(root, m.spec, m.profiles.empty() ? std::vector<std::string>{m.profile} : m.profiles,
                                m.out, apis.value(), config.include_root, &plan);
    if (!out) return out.error();
    files.insert(files.end(), out.value().begin(), out.value().end());
    plans.push_back(std::move(plan));
  }
  for (const auto& d : config.deployments) {
    const auto base = apis.value().find(d.api);
    if (base == apis.value().end()) {
      return make_error(ErrorCode::kConfig, "deployment '" + d.name + "': no API named '" + d.api + "' in apis:");
    }
    if (auto r = check_deployment_mappings(root, d, plans); !r) return r.error();
    auto out = generate_deployment_models(root, d, base->second);
    if (!out) return out.error();
    files.insert(files.end(), out.value().begin(), out.value().end());
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].path == files[i - 1].path) return make_error(ErrorCode::kConfig, "two outputs write " + files[i].path);
  }
  return files;
}

Result<void> check_deployment_mappings(const fs::path& root, const DeploymentConfig& d,
                                       const std::vector<RequirementPlan>& plans) {
  auto overlay = load_overlay(root / d.overlay, d.overlay);
  if (!overlay) return overlay.error();
  auto profile = load_profile((root / d.profile).string());
  if (!profile) return profile.error();
  mapping_detail::Diagnostics diags;
  for (const auto& plan : plans) check_plan_against_deployment(plan, profile.value(), overlay.value(), d.overlay, diags);
  if (!diags.empty()) return make_error(ErrorCode::kInvalidInput, diags.render());
  return ok();
}

Result<void> write_files(const fs::path& out_root, const std::vector<GeneratedFile>& files) {
  for (const auto& f : files) {
    const fs::path p = out_root / f.path;
    if (auto old = read_text(p); old && old.value() == f.content) continue;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return make_error(ErrorCode::kIo, "cannot create " + p.parent_path().generic_string() + ": " + ec.message());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << f.content;
    if (!out) return make_error(ErrorCode::kIo, "cannot write " + p.generic_string());
  }
  return ok();
}

std::vector<std::string> compare_files(const fs::path& against, const std::vector<GeneratedFile>& files,
                                       const CodegenConfig& config) {
  std::vector<std::string> diffs;
  std::set<std::string> expected;
  for (const auto& f : files) {
    expected.insert(f.path);
    auto old = read_text(against / f.path);
    if (!old) {
      diffs.push_back("missing: " + f.path);
    } else if (old.value() != f.content) {
      diffs.push_back("changed: " + f.path);
    }
  }
  // Output dirs whose every file must be generated: each API's dir and its docs dir (emit_docs.cc).
  std::set<std::string> dirs;
  for (const auto& a : config.apis) {
    std::string out = a.out;
    while (!out.empty() && out.back() == '/') out.pop_back();
    dirs.insert(out);
    dirs.insert((fs::path(out).parent_path() / "docs").generic_string());
  }
  for (const auto& d : config.deployments) {
    std::string out = d.out;
    while (!out.empty() && out.back() == '/') out.pop_back();
    dirs.insert(out);
  }
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(against / dir, ec)) continue;
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(against / dir, ec)) {
      if (!e.is_regular_file()) continue;
      const std::string rel = (fs::path(dir) / e.path().filename()).generic_string();
      if (!expected.count(rel)) found.push_back("extra: " + rel);
    }
    std::sort(found.begin(), found.end());
    diffs.insert(diffs.end(), found.begin(), found.end());
  }
  return diffs;
}

}  // namespace refbridge::codegen
