// refbridge-codegen: OpenAPI/JSON-Schema YAML -> typed C++ (models, serializers, clients) and
// mapping specs -> transforms.
//   refbridge-codegen generate --config schemas/codegen.yaml --root . --out-root .
//   refbridge-codegen check    --config schemas/codegen.yaml --root . --against .
//   refbridge-codegen dump-ir  --spec schemas/ping/openapi.yaml [--root .] [--name ping] [--namespace refbridge::ping]
//   refbridge-codegen diff     OLD.yaml NEW.yaml [--root .]     (schema evolution, codegen/src/diff.h;
//                              two deployment overlays: configuration drift, deployment_diff.h)
//   refbridge-codegen import-primero --name N (--forms F --lookups L | --base-url U --user X) [--root .]
//                              (an instance's forms and lookups -> schemas/primero/deployments/N.yaml)
// Exit codes: 0 ok, 1 drift found (check) or a breaking change (diff), 2 error (message on stderr).

#include "deployment_import.h"
#include "deployment_diff.h"
#include "diff.h"
#include "driver.h"
#include "schema_loader.h"

#include "refbridge/version.h"

#include <CLI/CLI.hpp>
#include <google/protobuf/text_format.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace fs = std::filesystem;
using namespace refbridge::codegen;

namespace {

fs::path resolve(const fs::path& root, const std::string& p) {
  const fs::path path(p);
  if (path.is_absolute() || fs::exists(path)) return path;
  return root / path;
}

int fail(const refbridge::Error& e) {
  std::cerr << "refbridge-codegen: " << e.message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"refbridge-codegen: schemas -> C++ models, serializers, clients and mapping transforms"};
  app.require_subcommand(1);
  app.set_version_flag("--version", refbridge::version_line("refbridge-codegen"));
  std::string config = "schemas/codegen.yaml";
  std::string root = ".";
  std::string out_root;
  std::string against;
  std::string spec;
  std::string name;
  std::string ns;

  auto* gen = app.add_subcommand("generate", "write all API and mapping outputs");
  gen->add_option("--config", config, "codegen.yaml (relative to the working directory or --root)");
  gen->add_option("--root", root, "repository root: spec and output paths in the config are relative to it");
  gen->add_option("--out-root", out_root, "directory the config's output dirs are relative to (default: --root)");

  auto* check = app.add_subcommand("check", "exit 1 and list files when the outputs differ from --against");
  check->add_option("--config", config, "codegen.yaml");
  check->add_option("--root", root, "repository root");
  check->add_option("--against", against, "directory holding the committed outputs (default: --root)");

  auto* dump = app.add_subcommand("dump-ir", "print the IR of one spec in protobuf text format");
  dump->add_option("--spec", spec, "spec path relative to --root")->required();
  dump->add_option("--root", root, "repository root");
  dump->add_option("--name", name, "API name (default: the spec's directory name)");
  dump->add_option("--namespace", ns, "C++ namespace (default: refbridge::<name>)");

  std::string diff_old, diff_new;
  auto* diff = app.add_subcommand("diff", "classify the changes between two schema versions (exit 1 when breaking)");
  diff->add_option("old", diff_old, "old OpenAPI YAML (or codegen.yaml), relative to --root")->required();
  diff->add_option("new", diff_new, "new OpenAPI YAML (or codegen.yaml), relative to --root")->required();
  diff->add_option("--root", root, "directory the paths (and a config's spec paths) are relative to");
  std::string diff_profile;
  diff->add_option("--config", config, "two deployment overlays: the codegen.yaml whose mappings are checked");
  diff->add_option("--profile", diff_profile, "two deployment overlays: the profile (default: the config's deployment's)");

  ImportRequest imp;
  auto* import = app.add_subcommand("import-primero", "write a deployment overlay from a Primero instance's forms and lookups");
  import->add_option("--name", imp.name, "deployment name (the overlay is schemas/primero/deployments/<name>.yaml)")->required();
  import->add_option("--forms", imp.forms_file, "exported GET /api/v2/forms body (JSON)");
  import->add_option("--lookups", imp.lookups_file, "exported GET /api/v2/lookups body (JSON)");
  import->add_option("--base-url", imp.base_url, "live instance, e.g. https://primero.example.org");
  import->add_option("--user", imp.user, "live: the API user (password: REFBRIDGE_PRIMERO_PASSWORD)");
  import->add_option("--instance", imp.instance, "how the source note names the instance (default: URL or files)");
  import->add_option("--exported-at", imp.exported_at, "export time, UTC RFC 3339 (default: now)");
  import->add_option("--record-type", imp.record_type, "record type whose forms count (default: case)");
  import->add_option("--module", imp.module_id, "module whose forms count (default: primeromodule-cp)");
  import->add_option("--base-spec", imp.base_spec, "base Primero schema naming the row models, relative to --root");
  import->add_option("--out", imp.out, "overlay path relative to --root");
  import->add_option("--root", root, "repository root");

  CLI11_PARSE(app, argc, argv);

  try {
    const fs::path root_path(root);
    if (*import) {
      auto r = import_primero(root_path, imp, std::cout);
      return r ? 0 : fail(r.error());
    }
    if (*diff && is_deployment_overlay(resolve(root_path, diff_old))) {
      return run_deployment_diff(root_path, config, diff_old, diff_new, diff_profile, std::cout, std::cerr);
    }
    if (*diff) return run_diff(root_path, diff_old, diff_new, std::cout, std::cerr);
    if (*dump) {
      if (name.empty()) name = fs::path(spec).parent_path().filename().generic_string();
      if (ns.empty()) ns = "refbridge::" + name;
      auto api = load_api(root_path, spec, name, ns);
      if (!api) return fail(api.error());
      std::string text;
      google::protobuf::TextFormat::PrintToString(api.value(), &text);
      std::cout << text;
      return 0;
    }
    auto cfg = load_config(resolve(root_path, config));
    if (!cfg) return fail(cfg.error());
    auto files = generate_all(root_path, cfg.value());
    if (!files) return fail(files.error());
    if (*gen) {
      const fs::path out = out_root.empty() ? root_path : fs::path(out_root);
      if (auto r = write_files(out, files.value()); !r) return fail(r.error());
      std::cout << "refbridge-codegen: " << files.value().size() << " files up to date under " << out.generic_string()
                << "\n";
      return 0;
    }
    const fs::path dir = against.empty() ? root_path : fs::path(against);
    const auto diffs = compare_files(dir, files.value(), cfg.value());
    if (diffs.empty()) {
      std::cout << "refbridge-codegen: " << files.value().size() << " generated files match\n";
      return 0;
    }
    std::cout << "refbridge-codegen: generated output differs from " << dir.generic_string() << ":\n";
    for (const auto& d : diffs) std::cout << "  " << d << "\n";
    std::cout << "regenerate with: refbridge-codegen generate --config " << config << " --root " << root
              << " --out-root " << dir.generic_string() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "refbridge-codegen: internal error: " << e.what() << "\n";
    return 2;
  }
}
