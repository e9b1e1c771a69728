// See paging.h.
#include "paging.h"

#include "yaml_file.h"

#include <set>
#include <sstream>

namespace refbridge::codegen {
namespace {

std::string at(const ir::SourceLocation& loc) {
  return loc.file() + ":" + std::to_string(loc.line()) + ":" + std::to_string(loc.column()) + ": ";
}

const ir::Model* find_model(const ir::Api& api, const std::string& name) {
  for (const auto& m : api.models()) {
    if (m.name() == name) return &m;
  }
  return nullptr;
}

const ir::Parameter* find_param(const ir::Operation& op, const std::string& name) {
  for (const auto& p : op.parameters()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

bool is_integer(const ir::TypeRef& t) { return t.kind() == ir::TypeRef::INT32 || t.kind() == ir::TypeRef::INT64; }

}  // namespace

void read_paging(const std::string& file, const YAML::Node& ext, ir::Operation* op, std::vector<std::string>& errors) {
  const std::string where = yaml_position(file, ext.Mark());
  const std::size_t errors_before = errors.size();
  ir::Paging* p = op->mutable_paging();
  p->mutable_location()->set_file(file);
  p->mutable_location()->set_line(ext.Mark().line + 1);
  p->mutable_location()->set_column(ext.Mark().column + 1);
  if (!ext.IsMap()) {
    errors.push_back(where + "x-refbridge-paging must be a mapping");
    return;
  }
  const std::string style = ext["style"] && ext["style"].IsScalar() ? ext["style"].Scalar() : std::string();
  std::set<std::string> allowed;
  std::vector<std::string> needed;
  if (style == "page-number") {
    p->set_style(ir::Paging::PAGE_NUMBER);
    allowed = {"style", "page", "per", "items", "total"};
    needed = {"page", "per", "items"};
  } else if (style == "page-token") {
    p->set_style(ir::Paging::PAGE_TOKEN);
    allowed = {"style", "token", "next", "items"};
    needed = {"token", "next", "items"};
  } else {
    errors.push_back(where + "x-refbridge-paging: `style` must be page-number or page-token");
    return;
  }
  for (const auto& kv : ext) {
    const std::string key = kv.first.as<std::string>();
    if (!allowed.count(key)) {
      errors.push_back(yaml_position(file, kv.first.Mark()) + "x-refbridge-paging: unknown key '" + key + "' for style " + style);
    } else if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
      errors.push_back(yaml_position(file, kv.second.Mark()) + "x-refbridge-paging: '" + key + "' must be a non-empty name");
    }
  }
  for (const auto& key : needed) {
    if (!ext[key]) errors.push_back(where + "x-refbridge-paging: missing '" + key + "' (style " + style + ")");
  }
  auto get = [&](const char* key) { return ext[key] && ext[key].IsScalar() ? ext[key].Scalar() : std::string(); };
  p->set_page(get("page"));
  p->set_per(get("per"));
  p->set_total(get("total"));
  p->set_token(get("token"));
  p->set_next(get("next"));
  p->set_items(get("items"));
  // A malformed extension is reported once; check_paging() then leaves the operation alone.
  if (errors.size() != errors_before) p->set_style(ir::Paging::STYLE_UNSPECIFIED);
}

std::vector<const ir::Field*> resolve_member_path(const ir::Api& api, const std::string& model, const std::string& path) {
  std::vector<const ir::Field*> out;
  const ir::Model* m = find_model(api, model);
  std::stringstream ss(path);
  std::string step;
  while (std::getline(ss, step, '.')) {
    if (m == nullptr) return {};
    const ir::Field* found = nullptr;
    for (const auto& f : m->fields()) {
      if (f.json_name() == step) found = &f;
    }
    if (found == nullptr) return {};
    out.push_back(found);
    m = found->type().kind() == ir::TypeRef::MODEL ? find_model(api, found->type().model()) : nullptr;
  }
  return out;
}

void check_paging(const ir::Api& api, std::vector<std::string>& errors) {
  for (const auto& op : api.operations()) {
    const ir::Paging& p = op.paging();
    if (p.style() == ir::Paging::STYLE_UNSPECIFIED) continue;
    const std::string where = at(p.location()) + "x-refbridge-paging of '" + op.operation_id() + "': ";
    std::string model;
    for (const auto& r : op.responses()) {
      if (r.model().empty()) {
        errors.push_back(where + "every success response must carry the page body");
        return;
      }
      model = r.model();
    }
    auto query_param = [&](const std::string& name, const char* role) -> const ir::Parameter* {
      const ir::Parameter* prm = find_param(op, name);
      if (prm == nullptr || prm->in() != ir::Parameter::QUERY) {
        errors.push_back(where + role + " '" + name + "' is not a query parameter of the operation");
        return nullptr;
      }
      return prm;
    };
    auto member = [&](const std::string& path, const char* role, auto&& ok, const char* expected) {
      const auto fields = resolve_member_path(api, model, path);
      if (fields.empty()) {
        errors.push_back(where + role + " '" + path + "' is not a member path of " + model);
      } else if (!ok(fields.back()->type())) {
        errors.push_back(where + role + " '" + path + "' must be " + expected);
      }
    };
    member(p.items(), "items", [](const ir::TypeRef& t) { return t.kind() == ir::TypeRef::ARRAY; }, "an array");
    if (p.style() == ir::Paging::PAGE_NUMBER) {
      for (const auto& [name, role] : {std::pair{p.page(), "page"}, std::pair{p.per(), "per"}}) {
        if (const auto* prm = query_param(name, role); prm && !is_integer(prm->type())) {
          errors.push_back(where + role + " '" + name + "' must be an integer parameter");
        }
      }
      if (!p.total().empty()) member(p.total(), "total", is_integer, "an integer");
    } else {
      if (const auto* prm = query_param(p.token(), "token");
          prm && (prm->type().kind() != ir::TypeRef::STRING || prm->required())) {
        errors.push_back(where + "token '" + p.token() + "' must be an optional string parameter");
      }
      member(p.next(), "next", [](const ir::TypeRef& t) { return t.kind() == ir::TypeRef::STRING; }, "a string");
    }
  }
}

}  // namespace refbridge::codegen
