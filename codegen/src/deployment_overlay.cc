// Rendering a deployment overlay (schemas/primero/deployments/<name>.yaml). See deployment.h.
#include "deployment.h"

#include "names.h"

#include <algorithm>
#include <map>
#include <set>

namespace refbridge::codegen {
namespace {

/// A YAML double-quoted scalar (JSON string escapes are valid YAML).
std::string q(std::string_view text) { return "\"" + names::escape_json(text) + "\""; }

std::string flow_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + q(items[i]);
  return out + "]";
}

struct RowModel {
  const PrimeroFormField* subform = nullptr;
  const PrimeroFormSection* rows = nullptr;
  std::string name;
};

struct Renderer {
  const DeploymentOverlay& o;
  const ir::Api* base;
  PrimeroFormScope scope;
  std::string out;

  /// The base's row model of `subform` in the record model, else <Record><Subform>Row.
  std::string row_model_name(const std::string& record, const std::string& subform) const {
    if (base != nullptr) {
      for (const auto& m : base->models()) {
        if (m.name() != record) continue;
        for (const auto& f : m.fields()) {
          if (f.json_name() == subform && f.type().kind() == ir::TypeRef::ARRAY &&
              f.type().element().kind() == ir::TypeRef::MODEL) {
            return f.type().element().model();
          }
        }
      }
    }
    return record + names::to_pascal_case(subform) + "Row";
  }

  std::vector<std::string> options(const PrimeroFormField& f) const {
    if (const std::string lookup = primero_lookup_of(f); !lookup.empty()) {
      const auto it = o.config.lookups.find(lookup);
      return it == o.config.lookups.end() ? std::vector<std::string>{} : it->second;
    }
    return f.option_ids.value_or(std::vector<std::string>{});
  }

  /// Why `ids` cannot be one C++ enum ("" when they can): two ids with the same enumerator
  /// (names::enumerator: "Other" and "other" -> kOther), or an id listed twice.
  static std::string enum_clash(const std::vector<std::string>& ids) {
    std::map<std::string, std::string> seen;  // enumerator -> id
    for (const auto& id : ids) {
      const auto [it, added] = seen.emplace(names::enumerator(id), id);
      if (!added) return "options kept as text: ids '" + it->second + "' and '" + id + "' give one C++ name";
    }
    return {};
  }

  std::string note(const PrimeroFormField& f, const std::string& section) const {
    std::string n = (f.label.empty() ? f.name : f.label) + " (form " + section + ", " + f.type;
    if (f.option_strings_source) {
      const bool lookup = !primero_lookup_of(f).empty();
      n += ", options: " + *f.option_strings_source + (lookup ? "" : ", not checked: any " + *f.option_strings_source);
    } else if (f.option_ids) {
      n += ", inline options";
    }
    if (f.multi_select) n += ", multi-select";
    if (f.required) n += ", required in the UI (not enforced by the API)";
    return n + ")";
  }

  /// One property (8 spaces of indentation); false for a field that holds no value (separator).
  bool property(const PrimeroFormField& f, const std::string& section, const std::string& row_model) {
    const std::string at = "        " + f.name + ":\n";
    const std::string& t = f.type;
    auto opts = options(f);
    const std::string clash = enum_clash(opts);
    if (!clash.empty()) opts.clear();
    const std::string desc = "          description: " + q(note(f, section) + (clash.empty() ? "" : ": " + clash)) + "\n";
    if (t == "separator") return false;
    out += at;
    if (t == "subform") {
      out += "          type: [array, \"null\"]\n" + desc + "          items: {$ref: '#/components/schemas/" + row_model +
             "'}\n";
    } else if (t == "text_field" || t == "textarea") {
      out += "          type: [string, \"null\"]\n" + desc;
    } else if (t == "numeric_field") {
      out += "          type: [integer, \"null\"]\n          format: int64\n" + desc;
    } else if (t == "date_field") {
      out += "          type: [string, \"null\"]\n          format: " +
             std::string(f.date_include_time ? "date-time" : "date") + "\n" + desc;
    } else if (t == "tick_box") {
      out += "          type: [boolean, \"null\"]\n" + desc;
    } else if (t == "select_box" || t == "radio_button") {
      if (f.multi_select) {
        out += "          type: [array, \"null\"]\n" + desc + "          items: {type: string" +
               (opts.empty() ? "" : ", enum: " + flow_list(opts)) + "}\n";
      } else {
        out += "          type: [string, \"null\"]\n" + desc;
        if (!opts.empty()) {
          std::string list = flow_list(opts);
          list.insert(list.size() - 1, ", null");  // nullable: null is a value of the enum
          out += "          enum: " + list + "\n";
        }
      }
    } else {
      out += "          description: " + q(note(f, section) + ": untyped (any JSON)") + "\n";
    }
    return true;
  }

  void model(const std::string& name, const std::string& description,
             const std::vector<const PrimeroFormSection*>& sections, const std::string& record,
             std::vector<RowModel>* rows) {
    out += "    " + name + ":\n      type: object\n      description: " + q(description) + "\n      properties:\n";
    std::set<std::string> seen;
    for (const PrimeroFormSection* s : sections) {
      for (const auto& f : s->fields) {
        if (!seen.insert(f.name).second) continue;  // a field on two forms: the first one
        std::string row;
        if (f.type == "subform" && rows != nullptr) {
          const PrimeroFormSection* nested = primero_subform_section(o.config, f);
          if (nested == nullptr) continue;  // no rows' section: nothing to type
          row = row_model_name(record, f.name);
          rows->push_back({&f, nested, row});
        } else if (f.type == "subform") {
          continue;  // nested subforms are not typed
        }
        property(f, s->unique_id, row);
      }
    }
  }

  std::string run() {
    const auto& s = o.source;
    out += "# Primero deployment overlay '" + s.name + "': the forms and lookups of " + s.instance + ",\n# exported " +
           s.exported_at + ", input SHA-256 " + s.input_sha256 +
           ".\n# Written by `refbridge-codegen import-primero` (codegen/src/deployment.h): re-import, do not edit.\n";
    out += "x-refbridge-deployment:\n  name: " + q(s.name) + "\n  instance: " + q(s.instance) + "\n  exported_at: " +
           q(s.exported_at) + "\n  input_sha256: " + q(s.input_sha256) + "\n  record_type: " + q(s.record_type) +
           "\n  module_id: " + q(s.module_id) + "\n";
    out += "openapi: 3.1.0\ninfo:\n  title: " + q("Primero deployment " + s.name) + "\n  version: " +
           q(s.exported_at) + "\ncomponents:\n  schemas:\n";
    const std::string record = record_model_name(s.record_type);
    std::vector<RowModel> rows;
    model(record, "A " + s.record_type + " of deployment " + s.name + ": one member per field of its " +
                      s.record_type + " forms" + (s.module_id.empty() ? "" : " (module " + s.module_id + ")") + ".",
          primero_top_sections(o.config, scope), record, &rows);
    std::set<std::string> done;
    for (const auto& r : rows) {
      if (!done.insert(r.name).second) continue;
      model(r.name, "One row of subform " + r.subform->name + " (section " + r.rows->unique_id + ") of deployment " +
                        s.name + ".",
            {r.rows}, record, nullptr);
    }
    render_configuration();
    return out;
  }

  void render_field(const PrimeroFormField& f) {
    out += "        - {name: " + q(f.name) + ", type: " + q(f.type);
    if (f.option_strings_source) out += ", source: " + q(*f.option_strings_source);
    if (f.option_ids) out += ", options: " + flow_list(*f.option_ids);
    if (f.subform_section_id) out += ", subform_section_id: " + std::to_string(*f.subform_section_id);
    if (f.subform_section_unique_id) out += ", subform_section_unique_id: " + q(*f.subform_section_unique_id);
    if (f.required) out += ", required: true";
    if (f.multi_select) out += ", multi_select: true";
    if (f.date_include_time) out += ", date_include_time: true";
    if (!f.label.empty()) out += ", label: " + q(f.label);
    out += "}\n";
  }

  void render_configuration() {
    out += "x-primero-configuration:\n  sections:\n";
    for (const auto& s : o.config.sections) {
      out += "    - unique_id: " + q(s.unique_id) + "\n";
      if (s.id) out += "      id: " + std::to_string(*s.id) + "\n";
      if (s.parent_form) out += "      parent_form: " + q(*s.parent_form) + "\n";
      if (s.module_ids) out += "      module_ids: " + flow_list(*s.module_ids) + "\n";
      if (s.is_nested) out += "      is_nested: true\n";
      out += "      fields:\n";
      for (const auto& f : s.fields) render_field(f);
      if (s.fields.empty()) out.replace(out.size() - 1, 1, " []\n");
    }
    out += "  lookups:\n";
    for (const auto& [id, values] : o.config.lookups) out += "    " + q(id) + ": " + flow_list(values) + "\n";
    if (o.config.lookups.empty()) out.replace(out.size() - 1, 1, " {}\n");
  }
};

}  // namespace

std::string record_model_name(const std::string& record_type) { return names::to_pascal_case(record_type); }

PrimeroConfiguration scoped_configuration(const PrimeroConfiguration& config, const PrimeroFormScope& scope) {
  PrimeroConfiguration out;
  std::set<const PrimeroFormSection*> kept;
  std::vector<const PrimeroFormSection*> order;
  auto keep = [&](const PrimeroFormSection* s) {
    if (s != nullptr && kept.insert(s).second) order.push_back(s);
  };
  for (const PrimeroFormSection* s : primero_top_sections(config, scope)) keep(s);
  for (std::size_t i = 0; i < order.size(); ++i) {  // grows while nested sections are found
    for (const auto& f : order[i]->fields) {
      if (f.type == "subform") keep(primero_subform_section(config, f));
    }
  }
  for (const auto& s : config.sections) {  // answer order
    if (!kept.count(&s)) continue;
    out.sections.push_back(s);
    for (const auto& f : s.fields) {
      const std::string lookup = primero_lookup_of(f);
      if (lookup.empty()) continue;
      if (const auto it = config.lookups.find(lookup); it != config.lookups.end()) out.lookups[lookup] = it->second;
    }
  }
  return out;
}

std::string render_overlay(const DeploymentOverlay& overlay, const ir::Api* base) {
  Renderer r{overlay, base, {overlay.source.record_type, overlay.source.module_id}, {}};
  return r.run();
}

}  // namespace refbridge::codegen
