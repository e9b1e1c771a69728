// Reading a deployment overlay's x-refbridge-deployment and x-primero-configuration. See deployment.h.
#include "deployment.h"

#include "yaml_file.h"

namespace refbridge::codegen {
namespace {

struct Loader {
  std::string file;

  Error bad(const YAML::Node& n, const std::string& what) const { return yaml_error(file, n.Mark(), what); }

  Result<std::string> str(const YAML::Node& map, const char* key, bool required) const {
    const YAML::Node n = map[key];
    if (!n) {
      if (required) return bad(map, std::string("missing '") + key + "'");
      return std::string();
    }
    if (!n.IsScalar()) return bad(n, std::string("'") + key + "' must be a string");
    return n.Scalar();
  }
  Result<std::optional<std::string>> opt(const YAML::Node& map, const char* key) const {
    if (!map[key]) return std::optional<std::string>{};
    REFBRIDGE_TRY(auto s, str(map, key, true));
    return std::optional<std::string>(std::move(s));
  }
  Result<std::vector<std::string>> list(const YAML::Node& n) const {
    if (!n.IsSequence()) return bad(n, "expected a list of strings");
    std::vector<std::string> out;
    for (const auto& v : n) {
      if (!v.IsScalar()) return bad(v, "expected a string");
      out.push_back(v.Scalar());
    }
    return out;
  }
  Result<std::optional<std::int64_t>> integer(const YAML::Node& map, const char* key) const {
    if (!map[key]) return std::optional<std::int64_t>{};
    try {
      return std::optional<std::int64_t>(map[key].as<std::int64_t>());
    } catch (const YAML::Exception&) {
      return bad(map[key], std::string("'") + key + "' must be an integer");
    }
  }
  Result<bool> flag(const YAML::Node& map, const char* key) const {
    if (!map[key]) return false;
    try {
      return map[key].as<bool>();
    } catch (const YAML::Exception&) {
      return bad(map[key], std::string("'") + key + "' must be true or false");
    }
  }

  Result<PrimeroFormField> field(const YAML::Node& n) const {
    if (!n.IsMap()) return bad(n, "a field must be a mapping");
    PrimeroFormField f;
    REFBRIDGE_TRY(f.name, str(n, "name", true));
    REFBRIDGE_TRY(f.type, str(n, "type", false));
    REFBRIDGE_TRY(f.option_strings_source, opt(n, "source"));
    if (n["options"]) {
      REFBRIDGE_TRY(auto ids, list(n["options"]));
      f.option_ids = std::move(ids);
    }
    REFBRIDGE_TRY(f.subform_section_id, integer(n, "subform_section_id"));
    REFBRIDGE_TRY(f.subform_section_unique_id, opt(n, "subform_section_unique_id"));
    REFBRIDGE_TRY(f.required, flag(n, "required"));
    REFBRIDGE_TRY(f.multi_select, flag(n, "multi_select"));
    REFBRIDGE_TRY(f.date_include_time, flag(n, "date_include_time"));
    REFBRIDGE_TRY(f.label, str(n, "label", false));
    return f;
  }

  Result<PrimeroFormSection> section(const YAML::Node& n) const {
    if (!n.IsMap()) return bad(n, "a section must be a mapping");
    PrimeroFormSection s;
    REFBRIDGE_TRY(s.unique_id, str(n, "unique_id", true));
    REFBRIDGE_TRY(s.id, integer(n, "id"));
    REFBRIDGE_TRY(s.parent_form, opt(n, "parent_form"));
    if (n["module_ids"]) {
      REFBRIDGE_TRY(auto ids, list(n["module_ids"]));
      s.module_ids = std::move(ids);
    }
    REFBRIDGE_TRY(s.is_nested, flag(n, "is_nested"));
    const YAML::Node fields = n["fields"];
    if (fields && !fields.IsSequence()) return bad(fields, "'fields' must be a list");
    for (const auto& f : fields) {
      REFBRIDGE_TRY(auto parsed, field(f));
      s.fields.push_back(std::move(parsed));
    }
    return s;
  }

  Result<DeploymentOverlay> run(const YAML::Node& root) const {
    if (!root.IsMap()) return bad(root, "an overlay must be a mapping");
    const YAML::Node src = root["x-refbridge-deployment"];
    if (!src || !src.IsMap()) return bad(root, "missing 'x-refbridge-deployment' (not an import-primero overlay)");
    DeploymentOverlay o;
    REFBRIDGE_TRY(o.source.name, str(src, "name", true));
    REFBRIDGE_TRY(o.source.instance, str(src, "instance", true));
    REFBRIDGE_TRY(o.source.exported_at, str(src, "exported_at", true));
    REFBRIDGE_TRY(o.source.input_sha256, str(src, "input_sha256", true));
    REFBRIDGE_TRY(o.source.record_type, str(src, "record_type", true));
    REFBRIDGE_TRY(o.source.module_id, str(src, "module_id", false));
    const YAML::Node cfg = root["x-primero-configuration"];
    if (!cfg || !cfg.IsMap()) return bad(root, "missing 'x-primero-configuration'");
    const YAML::Node sections = cfg["sections"];
    if (!sections || !sections.IsSequence()) return bad(cfg, "'sections' must be a list");
    for (const auto& s : sections) {
      REFBRIDGE_TRY(auto parsed, section(s));
      o.config.sections.push_back(std::move(parsed));
    }
    const YAML::Node lookups = cfg["lookups"];
    if (!lookups || !lookups.IsMap()) return bad(cfg, "'lookups' must be a mapping");
    for (const auto& kv : lookups) {
      REFBRIDGE_TRY(auto values, list(kv.second));
      o.config.lookups[kv.first.Scalar()] = std::move(values);
    }
    return o;
  }
};

}  // namespace

Result<DeploymentOverlay> load_overlay(const std::filesystem::path& file, const std::string& display) {
  const auto parent = file.parent_path();
  REFBRIDGE_TRY(const YAML::Node root, load_yaml_file(parent.empty() ? "." : parent, file.filename().string(),
                                                      "deployment overlay"));
  try {
    return Loader{display}.run(root);
  } catch (const YAML::Exception& e) {
    return yaml_error(display, e.mark, e.msg);
  }
}

}  // namespace refbridge::codegen
