// Schema loader, paths -> operations. See schema_loader_impl.h.
#include "schema_loader_impl.h"

namespace refbridge::codegen::schema_detail {

const YAML::Node Loader::resolve_parameter(const std::string& file, const YAML::Node& root, const YAML::Node& p) {
  if (!p.IsMap() || !p["$ref"]) return p;
  const std::string ref = p["$ref"].as<std::string>();
  const std::string prefix = "#/components/parameters/";
  if (ref.rfind(prefix, 0) == 0) {
    const auto n = root["components"]["parameters"][ref.substr(prefix.size())];
    if (n) return n;
  }
  error(file, p["$ref"], "unknown parameter $ref '" + ref + "'");
  return YAML::Node();
}

std::string Loader::body_model(const std::string& file, const YAML::Node& content, const char* what, bool json_only) {
  if (!content.IsMap()) {
    error(file, content, std::string(what) + ": `content` must be a mapping");
    return {};
  }
  for (const auto& kv : content) {
    const std::string media = kv.first.as<std::string>();
    if (media != "application/json" && media != "application/problem+json") {
      if (json_only) error(file, kv.first, std::string(what) + ": media type '" + media + "' is not supported (application/json only)");
      continue;
    }
    const auto schema = kv.second["schema"];
    if (!schema || !schema.IsMap() || !schema["$ref"]) {
      error(file, kv.first, std::string(what) + ": the body schema must be a $ref to a component schema");
      return {};
    }
    const std::string name = resolve_ref(file, schema["$ref"]);
    if (!name.empty() && defs_.at(name).is_enum) {
      error(file, schema["$ref"], std::string(what) + ": a body must be an object model, not the enum '" + name + "'");
      return {};
    }
    return name;
  }
  return {};
}

void Loader::build_paths(const std::string& file, const YAML::Node& root, const YAML::Node& paths) {
  if (!paths.IsMap()) {
    error(file, paths, "`paths` must be a mapping");
    return;
  }
  std::set<std::string> op_ids;
  for (const auto& pkv : paths) {
    const std::string path = pkv.first.as<std::string>();
    const YAML::Node item = pkv.second;
    if (path.empty() || path[0] != '/') error(file, pkv.first, "a path must start with '/'");
    std::vector<YAML::Node> common;
    for (const auto& kv : item) {
      const std::string k = kv.first.as<std::string>();
      if (k == "parameters") {
        for (const auto& p : kv.second) common.push_back(p);
      } else if (k == "summary" || k == "description" || k.rfind("x-", 0) == 0) {
      } else if (!kHttpMethods.count(k)) {
        error(file, kv.first, "unsupported path item key '" + k + "'");
      }
    }
    for (const auto& kv : item) {
      const std::string method = kv.first.as<std::string>();
      if (!kHttpMethods.count(method)) continue;
      const YAML::Node op = kv.second;
      if (const auto gen = op["x-refbridge-generate"]; gen && gen.IsScalar() && gen.Scalar() == "false") continue;
      ir::Operation o;
      o.set_operation_id(scalar(op, "operationId"));
      if (o.operation_id().empty()) {
        error(file, kv.first, "operation " + method + " " + path + " has no operationId");
        continue;
      }
      if (!op_ids.insert(o.operation_id()).second) error(file, op["operationId"], "duplicate operationId '" + o.operation_id() + "'");
      o.set_cpp_name(names::to_snake_case(o.operation_id()));
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), [](char c) { return static_cast<char>(c - 'a' + 'A'); });
      o.set_method(m);
      o.set_path(path);
      o.set_description(scalar(op, "description").empty() ? scalar(op, "summary") : scalar(op, "description"));
      if (o.description().empty()) error(file, kv.first, "operation '" + o.operation_id() + "' has no description or summary");
      set_loc(o.mutable_location(), file, kv.first);
      build_parameters(file, root, common, op, &o);
      if (const auto pg = op["x-refbridge-paging"]) read_paging(file, pg, &o, errors_);
      set_idempotency(file, op, &o);
      if (const auto rb = op["requestBody"]) {
        o.set_request_body_required(rb["required"] && rb["required"].as<bool>());
        o.set_request_model(body_model(file, rb["content"], "requestBody", true));
      }
      if (const auto responses = op["responses"]; responses && responses.IsMap()) {
        for (const auto& rkv : responses) {
          const std::string code = rkv.first.as<std::string>();
          const YAML::Node r = rkv.second;
          if (code.size() == 3 && code[0] == '2') {
            ir::Response* resp = o.add_responses();
            resp->set_status(std::stoi(code));
            resp->set_description(scalar(r, "description"));
            if (r["content"]) resp->set_model(body_model(file, r["content"], "response", true));
          } else if (o.error_model().empty() && r["content"]) {
            o.set_error_model(body_model(file, r["content"], "error response", false));
          }
        }
      }
      if (o.responses_size() == 0) {
        error(file, kv.first, "operation '" + o.operation_id() + "' declares no 2xx response");
      }
      std::set<std::string> bodies;
      for (const auto& r : o.responses()) {
        if (!r.model().empty()) bodies.insert(r.model());
      }
      if (bodies.size() > 1) {
        error(file, kv.first, "operation '" + o.operation_id() + "' has success responses with different body models; not supported");
      }
      *api_.add_operations() = std::move(o);
    }
  }
}

void Loader::set_idempotency(const std::string& file, const YAML::Node& op, ir::Operation* o) {
  const std::string& m = o->method();
  bool keyed = false;
  for (const auto& p : o->parameters()) keyed = keyed || p.in() == ir::Parameter::PATH;
  if (m == "GET" || m == "PUT" || m == "DELETE" || m == "HEAD" || m == "OPTIONS") {
    o->set_idempotent(true);
    o->set_idempotency_source(m);
  } else if (m == "PATCH" && keyed) {
    o->set_idempotent(true);
    o->set_idempotency_source("keyed PATCH");
  } else {
    o->set_idempotent(false);
    o->set_idempotency_source(m);
  }
  const YAML::Node x = op["x-refbridge-idempotent"];
  if (!x) return;
  if (!x.IsScalar() || (x.Scalar() != "true" && x.Scalar() != "false")) {
    error(file, x, "x-refbridge-idempotent must be true or false");
    return;
  }
  o->set_idempotent(x.Scalar() == "true");
  o->set_idempotency_source("x-refbridge-idempotent");
}

void Loader::build_parameters(const std::string& file, const YAML::Node& root, const std::vector<YAML::Node>& common,
                            const YAML::Node& op, ir::Operation* o) {
  std::vector<YAML::Node> all = common;
  if (const auto ps = op["parameters"]) {
    for (const auto& p : ps) all.push_back(p);
  }
  std::set<std::string> cpp_names;
  std::set<std::string> path_params;
  for (const auto& raw : all) {
    const YAML::Node p = resolve_parameter(file, root, raw);
    if (!p) continue;
    ir::Parameter* param = o->add_parameters();
    param->set_name(scalar(p, "name"));
    param->set_cpp_name(names::legalize(param->name()));  // like model members: the wire name, legalized
    if (param->cpp_name() == "body") param->set_cpp_name("body_");
    if (!cpp_names.insert(param->cpp_name()).second) error(file, p, "duplicate parameter C++ name '" + param->cpp_name() + "'");
    const std::string in = scalar(p, "in");
    if (in == "path") {
      param->set_in(ir::Parameter::PATH);
      path_params.insert(param->name());
    } else if (in == "query") {
      param->set_in(ir::Parameter::QUERY);
    } else if (in == "header") {
      param->set_in(ir::Parameter::HEADER);
    } else {
      error(file, p, "parameter '" + param->name() + "': unsupported location '" + in + "'");
    }
    param->set_required(p["required"] && p["required"].as<bool>());
    if (in == "path" && !param->required()) error(file, p, "path parameter '" + param->name() + "' must be required");
    param->set_description(scalar(p, "description"));
    if (param->description().empty()) error(file, p, "parameter '" + param->name() + "' has no description");
    bool nullable = false;
    if (!p["schema"]) {
      error(file, p, "parameter '" + param->name() + "' has no schema");
    } else if (type_of(file, p["schema"], param->mutable_type(), &nullable)) {
      const auto k = param->type().kind();
      if (k == ir::TypeRef::ARRAY || k == ir::TypeRef::MAP || k == ir::TypeRef::MODEL || k == ir::TypeRef::ANY ||
          k == ir::TypeRef::NUMBER) {
        error(file, p["schema"], "parameter '" + param->name() + "': only string, integer, boolean, date, date-time and enum parameters are supported");
      }
      if (const auto lo = p["schema"]["minimum"]; lo && lo.IsScalar()) {
        param->set_has_minimum(true);
        param->set_minimum(lo.as<double>());
      }
      if (const auto hi = p["schema"]["maximum"]; hi && hi.IsScalar()) {
        param->set_has_maximum(true);
        param->set_maximum(hi.as<double>());
      }
    }
  }
  // Every {x} of the template has a path parameter, and the reverse; segments are whole.
  std::set<std::string> in_template;
  std::stringstream ss(o->path());
  std::string seg;
  while (std::getline(ss, seg, '/')) {
    const auto open = seg.find('{');
    if (open == std::string::npos) continue;
    if (open != 0 || seg.back() != '}') {
      error(file, op, "path segment '" + seg + "' mixes literal text and a parameter; not supported");
      continue;
    }
    const std::string name = seg.substr(1, seg.size() - 2);
    in_template.insert(name);
    if (!path_params.count(name)) error(file, op, "path parameter '{" + name + "}' is not declared");
  }
  for (const auto& name : path_params) {
    if (!in_template.count(name)) error(file, op, "path parameter '" + name + "' does not appear in " + o->path());
  }
}

}  // namespace refbridge::codegen::schema_detail
