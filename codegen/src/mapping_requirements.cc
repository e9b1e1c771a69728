// Primero form requirements of a mapping spec. See mapping_requirements.h.
#include "mapping_requirements.h"

#include "names.h"

namespace refbridge::codegen::mapping_detail {
namespace {

std::string quoted(std::string_view text) { return "\"" + names::escape_string(text) + "\""; }

/// "services_section[0].service_type" -> "services_section.service_type".
std::string without_indexes(const std::string& path) {
  std::string out;
  bool in_brackets = false;
  for (char c : path) {
    if (c == '[') in_brackets = true;
    if (!in_brackets) out += c;
    if (c == ']') in_brackets = false;
  }
  return out;
}

std::vector<std::string> field_names(const ir::Model& m) {
  std::vector<std::string> out;
  for (const auto& f : m.fields()) out.push_back(f.json_name());
  return out;
}

const ir::Field* field_of(const ir::Model& m, const std::string& name) {
  for (const auto& f : m.fields()) {
    if (f.json_name() == name) return &f;
  }
  return nullptr;
}

}  // namespace

const ir::Model* PrimeroFormsCollector::model(const std::string& name) const {
  if (api_ == nullptr) return nullptr;
  for (const auto& mod : api_->models()) {
    if (mod.name() == name) return &mod;
  }
  return nullptr;
}

bool PrimeroFormsCollector::targets_record() const {
  return record_ != nullptr && m_.target().api() == api_->name() && m_.target().model() == record_->name();
}

std::string PrimeroFormsCollector::rule_text(const ir::SourceLocation& at, const std::string& what) const {
  return m_.spec_file() + ":" + std::to_string(at.line()) + " (" + what + ")";
}

void PrimeroFormsCollector::add(std::string statement, RequirementRecipe recipe) {
  statements_.push_back(std::move(statement));
  recipes_.push_back(std::move(recipe));
}

void PrimeroFormsCollector::add_field(const std::string& field, bool write, const std::string& rule,
                                      const ir::SourceLocation& at) {
  std::string statement = "refbridge::add_primero_field(out, " + quoted(field) +
                          ", refbridge::PrimeroRequirement::Access::" + (write ? "kWrite" : "kRead") + ", " +
                          quoted(rule) + ");";
  RequirementRecipe recipe{RequirementRecipe::Kind::kField, field, write, {}, false, rule, at};
  const auto [it, added] = fields_.emplace(field, FieldEntry{statements_.size(), write});
  if (added) {
    add(std::move(statement), std::move(recipe));
  } else if (write && !it->second.write) {  // read first (by the same rule, or earlier), written too
    statements_[it->second.statement] = std::move(statement);
    recipes_[it->second.statement] = std::move(recipe);
    it->second.write = true;
  }
}

RequirementPlan PrimeroFormsCollector::plan() const {
  return {m_.spec_file(), m_.has_primero_forms() ? m_.primero_forms().record_type() : "", recipes_};
}

void PrimeroFormsCollector::check() {
  if (!m_.has_primero_forms()) return;
  const mapping::PrimeroForms& pf = m_.primero_forms();
  const auto ai = apis_.find(pf.api());
  if (ai == apis_.end()) {
    std::vector<std::string> names;
    for (const auto& [k, v] : apis_) names.push_back(k);
    diags_.error(pf.location(), "primero_forms: unknown API '" + pf.api() + "'." + did_you_mean(pf.api(), names));
    return;
  }
  api_ = &ai->second;
  record_ = model(pf.model());
  if (record_ == nullptr) {
    std::vector<std::string> names;
    for (const auto& mod : api_->models()) names.push_back(mod.name());
    diags_.error(pf.location(), "primero_forms: no model '" + pf.model() + "' in API '" + pf.api() + "'." +
                                    did_you_mean(pf.model(), names));
    return;
  }
  if (pf.record_type().empty()) diags_.error(pf.location(), "primero_forms: record_type is empty (e.g. case)");
  for (const auto& fs : pf.sources()) {
    const mapping::Source* src = nullptr;
    std::vector<std::string> names;
    for (const auto& s : m_.sources()) {
      names.push_back(s.name());
      if (s.name() == fs.source()) src = &s;
    }
    if (src == nullptr) {
      diags_.error(fs.location(), "primero_forms sources: no source named '" + fs.source() + "'." +
                                      did_you_mean(fs.source(), names));
      continue;
    }
    std::string row_model = record_->name();
    if (!fs.path().empty()) {
      const ir::Field* f = field_of(*record_, fs.path());
      if (f == nullptr || f->type().kind() != ir::TypeRef::ARRAY || f->type().element().kind() != ir::TypeRef::MODEL) {
        diags_.error(fs.location(), "primero_forms sources: '" + fs.path() + "' is not a subform (a list of models) of " +
                                        pf.api() + "." + record_->name() + "." +
                                        did_you_mean(fs.path(), field_names(*record_)));
        continue;
      }
      row_model = f->type().element().model();
    }
    if (src->api() != pf.api() || src->model() != row_model || src->list()) {
      diags_.error(fs.location(), "primero_forms sources: source '" + fs.source() + "' (" + src->api() + "." +
                                      src->model() + (src->list() ? ", a list" : "") + ") is not " +
                                      (fs.path().empty() ? "the record " : "one row of " + fs.path() + ", ") + pf.api() +
                                      "." + row_model);
      continue;
    }
    source_paths_[fs.source()] = fs.path();
  }
  for (const auto& rd : pf.reads()) {
    const std::string& text = rd.path().text();
    const auto dot = text.find('.');
    const std::string head = text.substr(0, dot);
    const ir::Field* f = field_of(*record_, head);
    if (f == nullptr) {
      diags_.error(rd.path().location(), "primero_forms reads: no property named '" + head + "' exists in " + pf.api() +
                                             "." + record_->name() + "." + did_you_mean(head, field_names(*record_)));
      continue;
    }
    if (dot != std::string::npos) {
      const std::string rest = text.substr(dot + 1);
      const bool subform = f->type().kind() == ir::TypeRef::ARRAY && f->type().element().kind() == ir::TypeRef::MODEL;
      const ir::Model* row = subform ? model(f->type().element().model()) : nullptr;
      if (row == nullptr || rest.find('.') != std::string::npos || field_of(*row, rest) == nullptr) {
        diags_.error(rd.path().location(),
                     "primero_forms reads: '" + text + "' is not <field> or <subform>.<row field> of " + pf.api() + "." +
                         record_->name() +
                         (row != nullptr ? "." + did_you_mean(rest, field_names(*row)) : std::string()));
        continue;
      }
    }
    add_field(text, /*write=*/false, rule_text(rd.path().location(), "read by the workflow: " + rd.reason()),
              rd.path().location());
  }
}

void PrimeroFormsCollector::read(const std::string& source, const std::string& member, const ir::SourceLocation& at,
                                 const std::string& what) {
  const auto it = source_paths_.find(source);
  if (it == source_paths_.end()) return;
  const std::string field = it->second.empty() ? member : it->second + "." + member;
  add_field(field, /*write=*/false, rule_text(at, what + " reads " + source + "." + member), at);
}

void PrimeroFormsCollector::write(const mapping::Rule& r, const std::string& summary, bool text_target) {
  if (!targets_record()) return;
  const std::string field = without_indexes(r.target().text());
  const std::string rule = rule_text(r.target().location(), r.target().text() + " <- " + summary);
  const ir::SourceLocation& at = r.target().location();
  add_field(field, /*write=*/true, rule, at);
  if (!text_target) return;
  using Kind = RequirementRecipe::Kind;
  auto constant = [&](const std::string& name) {
    add("refbridge::add_primero_constant_value(out, profile, " + quoted(name) + ", " + quoted(field) + ", " +
            quoted(rule) + ");",
        {Kind::kConstant, field, true, name, false, rule, at});
  };
  auto literal = [&](const std::string& value) {
    add("refbridge::add_primero_value(out, " + quoted(field) + ", " + quoted(value) + ", \"literal\", " + quoted(rule) +
            ");",
        {Kind::kLiteral, field, true, value, false, rule, at});
  };
  switch (r.kind_case()) {
    case mapping::Rule::kConstant: constant(r.constant().name()); break;
    case mapping::Rule::kLiteral: literal(r.literal().value()); break;
    case mapping::Rule::kLookup:
      if (r.lookup().has_join()) break;  // joined text, not one option
      add("refbridge::add_primero_lookup_values(out, profile, " + quoted(r.lookup().table()) + ", " +
              (r.lookup().on_missing() == mapping::DEFAULT ? "true" : "false") + ", " + quoted(field) + ", " +
              quoted(rule) + ");",
          {Kind::kLookup, field, true, r.lookup().table(), r.lookup().on_missing() == mapping::DEFAULT, rule, at});
      break;
    case mapping::Rule::kCopy:
      if (!r.copy().default_constant().empty()) constant(r.copy().default_constant());
      if (r.copy().has_default_literal()) literal(r.copy().default_literal());
      break;
    default: break;  // conversions and joins compute free text
  }
}

std::string PrimeroFormsCollector::declaration(const std::string& fn) const {
  const std::string record_type = m_.has_primero_forms() ? m_.primero_forms().record_type() : "";
  std::string out =
      "/// The Primero record type whose forms " + fn + "_primero_requirements() refers to (spec `primero_forms:`;\n"
      "/// empty without it).\n"
      "inline constexpr std::string_view " + fn + "_primero_record_type = " + quoted(record_type) + ";\n\n";
  out += "/// Every Primero form field this mapping writes or reads";
  if (m_.has_primero_forms()) {
    out += " in record type '" + record_type + "' (" + m_.primero_forms().api() + "." + m_.primero_forms().model() +
           ")";
  }
  out += ",\n/// and every option value its rules can write into a text field (the values of `profile`'s tables and\n"
         "/// constants they use, and their literals), each with the spec rule needing it\n"
         "/// (refbridge/primero_requirements.h; spec `primero_forms:`, empty without it). For the start-up\n"
         "/// check of the instance's forms and lookups (workflows/common/primero_config_check.h).\n";
  out += "std::vector<refbridge::PrimeroRequirement> " + fn + "_primero_requirements(const refbridge::Profile& profile);\n\n";
  return out;
}

std::string PrimeroFormsCollector::definition(const std::string& fn) const {
  std::string out = "\nstd::vector<refbridge::PrimeroRequirement> " + fn +
                    "_primero_requirements(const refbridge::Profile& profile) {\n  (void)profile;\n";
  if (statements_.empty()) return out + "  return {};\n}\n";
  out += "  std::vector<refbridge::PrimeroRequirement> out;\n";
  for (const auto& s : statements_) out += "  " + s + "\n";
  return out + "  return out;\n}\n";
}

}  // namespace refbridge::codegen::mapping_detail
