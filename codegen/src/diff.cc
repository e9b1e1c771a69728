// See diff.h.
#include "diff.h"

#include "driver.h"
#include "schema_loader.h"
#include "yaml_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <tuple>

namespace refbridge::codegen {
namespace {

std::string where(const ir::SourceLocation& l) {
  if (l.file().empty()) return "-";
  return l.file() + ":" + std::to_string(l.line());
}

const char* kind_text(ChangeKind k) {
  switch (k) {
    case ChangeKind::kBreaking: return "BREAKING";
    case ChangeKind::kCompatible: return "compatible";
    case ChangeKind::kDocs: return "docs";
  }
  return "?";
}

// Which way a model travels: written by clients (request bodies, parameters) or read by them.
struct Direction {
  bool request = false;
  bool response = false;
};

class DirectionIndex {
 public:
  explicit DirectionIndex(const ir::Api& api) : api_(api) {
    for (const auto& m : api.models()) models_[m.name()] = &m;
    for (const auto& op : api.operations()) {
      if (!op.request_model().empty()) mark(op.request_model(), true);
      for (const auto& p : op.parameters()) mark_type(p.type(), true);
      for (const auto& r : op.responses()) {
        if (!r.model().empty()) mark(r.model(), false);
      }
      if (!op.error_model().empty()) mark(op.error_model(), false);
    }
  }

  /// A model no operation uses counts as both (the stricter rule applies).
  [[nodiscard]] Direction of(const std::string& model) const {
    auto it = dirs_.find(model);
    if (it == dirs_.end() || (!it->second.request && !it->second.response)) return {true, true};
    return it->second;
  }

 private:
  void mark_type(const ir::TypeRef& t, bool request) {
    if (t.kind() == ir::TypeRef::MODEL || t.kind() == ir::TypeRef::ENUM) mark(t.model(), request);
    if (t.kind() == ir::TypeRef::ARRAY || t.kind() == ir::TypeRef::MAP) mark_type(t.element(), request);
  }
  void mark(const std::string& name, bool request) {
    Direction& d = dirs_[name];
    bool& flag = request ? d.request : d.response;
    if (flag) return;
    flag = true;
    auto it = models_.find(name);
    if (it == models_.end()) return;
    for (const auto& f : it->second->fields()) mark_type(f.type(), request);
    for (const auto& v : it->second->variant_models()) mark(v, request);
  }

  const ir::Api& api_;
  std::map<std::string, const ir::Model*> models_;
  std::map<std::string, Direction> dirs_;
};

Direction merge(Direction a, Direction b) { return {a.request || b.request, a.response || b.response}; }

std::string dir_text(Direction d) {
  if (d.request && d.response) return "request and response model";
  return d.request ? "request model" : "response model";
}

class Differ {
 public:
  Differ(const ir::Api& o, const ir::Api& n, std::string prefix)
      : old_(o), new_(n), old_dirs_(o), new_dirs_(n), prefix_(std::move(prefix)) {}

  DiffReport run() {
    diff_models();
    diff_operations();
    std::sort(report_.changes.begin(), report_.changes.end(), [](const SchemaChange& a, const SchemaChange& b) {
      return std::tie(a.kind, a.subject, a.what, a.old_at, a.new_at) <
             std::tie(b.kind, b.subject, b.what, b.old_at, b.new_at);
    });
    return std::move(report_);
  }

 private:
  void add(ChangeKind k, const std::string& subject, std::string what, const ir::SourceLocation* o,
           const ir::SourceLocation* n) {
    report_.changes.push_back(
        SchemaChange{k, prefix_ + subject, std::move(what), o ? where(*o) : "-", n ? where(*n) : "-"});
  }

  void diff_enum_values(const std::string& subject, const std::vector<std::string>& ov,
                        const std::vector<std::string>& nv, const ir::SourceLocation& ol, const ir::SourceLocation& nl) {
    for (const auto& v : ov) {
      if (std::find(nv.begin(), nv.end(), v) == nv.end()) {
        add(ChangeKind::kBreaking, subject, "enum value '" + v + "' removed", &ol, &nl);
      }
    }
    for (const auto& v : nv) {
      if (std::find(ov.begin(), ov.end(), v) == ov.end()) {
        add(ChangeKind::kCompatible, subject,
            "enum value '" + v + "' added (refbridge::OpenEnum keeps an unknown value, so existing readers round-trip it)",
            &ol, &nl);
      }
    }
  }

  void diff_constraints(const std::string& subject, const ir::Field& o, const ir::Field& n, Direction d) {
    // tightened: fewer values accepted than before; loosened: more.
    std::vector<std::string> tight, loose;
    auto bound = [&](const char* name, bool oh, double ov, bool nh, double nv, bool upper) {
      if (oh == nh && (!oh || ov == nv)) return;
      const std::string text = std::string(name) + " " + (oh ? fmt_num(ov) : "none") + " -> " + (nh ? fmt_num(nv) : "none");
      const bool tighter = !oh || (nh && (upper ? nv < ov : nv > ov));
      (tighter ? tight : loose).push_back(text);
    };
    bound("minimum", o.has_minimum(), o.minimum(), n.has_minimum(), n.minimum(), false);
    bound("maximum", o.has_maximum(), o.maximum(), n.has_maximum(), n.maximum(), true);
    bound("minLength", o.min_length() >= 0, static_cast<double>(o.min_length()), n.min_length() >= 0,
          static_cast<double>(n.min_length()), false);
    bound("maxLength", o.max_length() >= 0, static_cast<double>(o.max_length()), n.max_length() >= 0,
          static_cast<double>(n.max_length()), true);
    if (o.pattern() != n.pattern()) {
      (n.pattern().empty() ? loose : tight)
          .push_back("pattern " + (o.pattern().empty() ? std::string("none") : "'" + o.pattern() + "'") + " -> " +
                     (n.pattern().empty() ? std::string("none") : "'" + n.pattern() + "'"));
    }
    if (o.type().format() != n.type().format()) {
      (n.type().format().empty() ? loose : tight)
          .push_back("format " + (o.type().format().empty() ? std::string("none") : o.type().format()) + " -> " +
                     (n.type().format().empty() ? std::string("none") : n.type().format()));
    }
    for (const auto& t : tight) {
      add(d.request ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject,
          "constraint tightened: " + t + " (" + dir_text(d) + (d.request ? ": values callers send may be refused)" : ")"),
          &o.location(), &n.location());
    }
    for (const auto& t : loose) {
      add(d.response ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject,
          "constraint loosened: " + t + " (" + dir_text(d) +
              (d.response ? ": readers may get values outside the old bounds)" : ")"),
          &o.location(), &n.location());
    }
  }

  static std::string fmt_num(double v) {
    std::string s = std::to_string(v);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

  void diff_field(const std::string& model, const ir::Field& o, const ir::Field& n, Direction d) {
    const std::string subject = model + "." + o.json_name();
    const auto* ol = &o.location();
    const auto* nl = &n.location();
    const std::string ot = cpp_type(o.type()), nt = cpp_type(n.type());
    if (ot != nt) {
      add(ChangeKind::kBreaking, subject, "type " + ot + " -> " + nt, ol, nl);
    } else {
      diff_constraints(subject, o, n, d);
    }
    if (!o.required() && n.required()) {
      add(ChangeKind::kBreaking, subject,
          std::string("optional -> required (") + dir_text(d) +
              (d.request ? ": callers must now send it)" : ": the C++ member is no longer std::optional)"),
          ol, nl);
    } else if (o.required() && !n.required()) {
      add(d.response ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject,
          "required -> optional (" + dir_text(d) + (d.response ? ": readers may no longer get it)" : ": callers may omit it)"),
          ol, nl);
    }
    if (o.nullable() && !n.nullable()) {
      add(d.request ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject,
          "nullable -> not nullable (" + dir_text(d) + (d.request ? ": a null callers send is refused)" : ": never null now)"),
          ol, nl);
    } else if (!o.nullable() && n.nullable()) {
      add(d.response ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject,
          "not nullable -> nullable (" + dir_text(d) + (d.response ? ": readers may get null)" : ": callers may send null)"),
          ol, nl);
    }
    if (o.type().kind() != ir::TypeRef::ENUM && n.type().kind() != ir::TypeRef::ENUM) {
      diff_enum_values(subject, {o.enum_values().begin(), o.enum_values().end()},
                       {n.enum_values().begin(), n.enum_values().end()}, *ol, *nl);
    }
    if (o.description() != n.description()) add(ChangeKind::kDocs, subject, "description changed", ol, nl);
  }

  void diff_models() {
    std::map<std::string, const ir::Model*> om, nm;
    for (const auto& m : old_.models()) om[m.name()] = &m;
    for (const auto& m : new_.models()) nm[m.name()] = &m;
    for (const auto& [name, o] : om) {
      auto it = nm.find(name);
      if (it == nm.end()) {
        add(ChangeKind::kBreaking, name, o->is_enum() ? "enum removed" : "model removed", &o->location(), nullptr);
        continue;
      }
      const ir::Model* n = it->second;
      const Direction d = merge(old_dirs_.of(name), new_dirs_.of(name));
      if (o->is_enum() != n->is_enum() || o->is_variant() != n->is_variant()) {
        add(ChangeKind::kBreaking, name, "kind of schema changed (object / enum / oneOf)", &o->location(), &n->location());
        continue;
      }
      if (o->description() != n->description()) {
        add(ChangeKind::kDocs, name, "description changed", &o->location(), &n->location());
      }
      if (o->is_enum()) {
        diff_enum_values(name, {o->enum_values().begin(), o->enum_values().end()},
                         {n->enum_values().begin(), n->enum_values().end()}, o->location(), n->location());
        continue;
      }
      for (const auto& v : o->variant_models()) {
        if (std::find(n->variant_models().begin(), n->variant_models().end(), v) == n->variant_models().end()) {
          add(ChangeKind::kBreaking, name, "oneOf alternative '" + v + "' removed", &o->location(), &n->location());
        }
      }
      for (const auto& v : n->variant_models()) {
        if (std::find(o->variant_models().begin(), o->variant_models().end(), v) == o->variant_models().end()) {
          add(d.request ? ChangeKind::kBreaking : ChangeKind::kCompatible, name,
              "oneOf alternative '" + v + "' added (" + dir_text(d) +
                  (d.request ? ": the C++ variant gains an alternative)" : ": older readers keep it as raw JSON)"),
              &o->location(), &n->location());
        }
      }
      if (!o->closed() && n->closed()) {
        add(ChangeKind::kBreaking, name, "additionalProperties: false added (unknown members are now refused)",
            &o->location(), &n->location());
      }
      for (const auto& of : o->fields()) {
        const ir::Field* nf = nullptr;
        for (const auto& f : n->fields()) {
          if (f.json_name() == of.json_name()) nf = &f;
        }
        if (nf == nullptr) {
          add(ChangeKind::kBreaking, name + "." + of.json_name(), "field removed", &of.location(), nullptr);
        } else {
          diff_field(name, of, *nf, d);
        }
      }
      for (const auto& nf : n->fields()) {
        const bool existed = std::any_of(o->fields().begin(), o->fields().end(),
                                         [&](const ir::Field& f) { return f.json_name() == nf.json_name(); });
        if (existed) continue;
        const std::string subject = name + "." + nf.json_name();
        if (nf.required()) {
          add(d.request ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject,
              "new required field (" + dir_text(d) +
                  (d.request ? ": existing callers do not send it)" : ": readers get a new member)"),
              nullptr, &nf.location());
        } else {
          add(ChangeKind::kCompatible, subject, "new optional field", nullptr, &nf.location());
        }
      }
    }
    for (const auto& [name, n] : nm) {
      if (!om.count(name)) add(ChangeKind::kCompatible, name, n->is_enum() ? "enum added" : "model added", nullptr, &n->location());
    }
  }

  static std::string param_key(const ir::Parameter& p) {
    static const char* kIn[] = {"?", "path", "query", "header"};
    return std::string(kIn[p.in() >= 0 && p.in() <= 3 ? p.in() : 0]) + " " + p.name();
  }

  void diff_operations() {
    std::map<std::string, const ir::Operation*> oo, no;
    for (const auto& op : old_.operations()) oo[op.operation_id()] = &op;
    for (const auto& op : new_.operations()) no[op.operation_id()] = &op;
    for (const auto& [id, o] : oo) {
      const std::string subject = id + "()";
      auto it = no.find(id);
      if (it == no.end()) {
        add(ChangeKind::kBreaking, subject, "operation removed (" + o->method() + " " + o->path() + ")", &o->location(),
            nullptr);
        continue;
      }
      const ir::Operation* n = it->second;
      const auto* ol = &o->location();
      const auto* nl = &n->location();
      if (o->method() != n->method() || o->path() != n->path()) {
        add(ChangeKind::kBreaking, subject,
            "endpoint changed: " + o->method() + " " + o->path() + " -> " + n->method() + " " + n->path(), ol, nl);
      }
      if (o->description() != n->description()) add(ChangeKind::kDocs, subject, "description changed", ol, nl);
      // Parameters.
      std::map<std::string, const ir::Parameter*> op, np;
      for (const auto& p : o->parameters()) op[param_key(p)] = &p;
      for (const auto& p : n->parameters()) np[param_key(p)] = &p;
      for (const auto& [key, p] : op) {
        const std::string ps = subject + "." + p->name();
        auto pit = np.find(key);
        if (pit == np.end()) {
          add(ChangeKind::kBreaking, ps, key.substr(0, key.find(' ')) + " parameter removed", ol, nl);
          continue;
        }
        const ir::Parameter* q = pit->second;
        if (cpp_type(p->type()) != cpp_type(q->type())) {
          add(ChangeKind::kBreaking, ps, "parameter type " + cpp_type(p->type()) + " -> " + cpp_type(q->type()), ol, nl);
        }
        if (!p->required() && q->required()) {
          add(ChangeKind::kBreaking, ps, "parameter became required", ol, nl);
        } else if (p->required() && !q->required()) {
          add(ChangeKind::kCompatible, ps, "parameter became optional", ol, nl);
        }
        if (p->description() != q->description()) add(ChangeKind::kDocs, ps, "description changed", ol, nl);
      }
      for (const auto& [key, q] : np) {
        if (op.count(key)) continue;
        add(q->required() ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject + "." + q->name(),
            std::string(q->required() ? "new required " : "new optional ") + key.substr(0, key.find(' ')) +
                " parameter",
            ol, nl);
      }
      // Request body.
      if (o->request_model() != n->request_model()) {
        const std::string from = o->request_model().empty() ? "none" : o->request_model();
        const std::string to = n->request_model().empty() ? "none" : n->request_model();
        const bool compatible = !o->request_model().empty() ? false : !n->request_body_required();
        add(compatible ? ChangeKind::kCompatible : ChangeKind::kBreaking, subject + ".body",
            "request body " + from + " -> " + to, ol, nl);
      } else if (!o->request_model().empty() && o->request_body_required() != n->request_body_required()) {
        add(n->request_body_required() ? ChangeKind::kBreaking : ChangeKind::kCompatible, subject + ".body",
            n->request_body_required() ? "request body became required" : "request body became optional", ol, nl);
      }
      // Success responses.
      std::map<int, std::string> orsp, nrsp;
      for (const auto& r : o->responses()) orsp[r.status()] = r.model();
      for (const auto& r : n->responses()) nrsp[r.status()] = r.model();
      for (const auto& [status, model] : orsp) {
        auto rit = nrsp.find(status);
        if (rit == nrsp.end()) {
          add(ChangeKind::kCompatible, subject, "success status " + std::to_string(status) + " no longer returned", ol,
              nl);
        } else if (rit->second != model) {
          add(ChangeKind::kBreaking, subject,
              "response " + std::to_string(status) + " body " + (model.empty() ? "none" : model) + " -> " +
                  (rit->second.empty() ? "none" : rit->second),
              ol, nl);
        }
      }
      // A new success status is compatible unless it changes the generated return type (a first
      // status without a body makes it std::optional<Model>; a second body model cannot be returned).
      bool old_has_empty = false;
      std::set<std::string> old_models;
      for (const auto& [status, model] : orsp) {
        if (model.empty()) old_has_empty = true;
        else old_models.insert(model);
      }
      for (const auto& [status, model] : nrsp) {
        if (orsp.count(status)) continue;
        const bool same_shape = model.empty() ? (old_has_empty || old_models.empty())
                                              : old_models == std::set<std::string>{model};
        add(same_shape ? ChangeKind::kCompatible : ChangeKind::kBreaking, subject,
            "new success status " + std::to_string(status) + (model.empty() ? " without a body" : " with body " + model) +
                (same_shape ? "" : " (the generated return type changes)"),
            ol, nl);
      }
    }
    for (const auto& [id, n] : no) {
      if (!oo.count(id)) {
        add(ChangeKind::kCompatible, id + "()", "operation added (" + n->method() + " " + n->path() + ")", nullptr,
            &n->location());
      }
    }
  }

  const ir::Api& old_;
  const ir::Api& new_;
  DirectionIndex old_dirs_, new_dirs_;
  std::string prefix_;
  DiffReport report_;
};

Result<bool> is_config(const std::filesystem::path& root, const std::string& rel) {
  REFBRIDGE_TRY(const YAML::Node doc, load_yaml_file(root, rel, "schema or config file"));
  return doc.IsMap() && doc["apis"] && !doc["openapi"];
}

}  // namespace

std::string SchemaChange::line() const {
  return std::string(kind_text(kind)) + ": " + subject + ": " + what + " (" + old_at + " -> " + new_at + ")";
}

bool DiffReport::breaking() const {
  return std::any_of(changes.begin(), changes.end(), [](const SchemaChange& c) { return c.kind == ChangeKind::kBreaking; });
}

std::string DiffReport::render() const {
  std::string out;
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& c : changes) {
    out += c.line() + "\n";
    ++counts[static_cast<int>(c.kind)];
  }
  if (changes.empty()) return "summary: no changes\n";
  out += "summary: " + std::to_string(counts[0]) + " breaking, " + std::to_string(counts[1]) + " compatible, " +
         std::to_string(counts[2]) + " docs-only change(s)\n";
  return out;
}

DiffReport diff_apis(const ir::Api& old_api, const ir::Api& new_api, const std::string& prefix) {
  return Differ(old_api, new_api, prefix).run();
}

Result<DiffReport> diff_files(const std::filesystem::path& root, const std::string& old_rel, const std::string& new_rel) {
  REFBRIDGE_TRY(const bool old_cfg, is_config(root, old_rel));
  REFBRIDGE_TRY(const bool new_cfg, is_config(root, new_rel));
  if (old_cfg != new_cfg) {
    return make_error(ErrorCode::kInvalidInput, "diff: " + old_rel + " and " + new_rel +
                                                    " must both be OpenAPI documents or both codegen.yaml configs");
  }
  if (!old_cfg) {
    REFBRIDGE_TRY(const ir::Api o, load_api(root, old_rel, "api", "refbridge::api"));
    REFBRIDGE_TRY(const ir::Api n, load_api(root, new_rel, "api", "refbridge::api"));
    return diff_apis(o, n);
  }
  // Configs: spec paths inside a config are relative to root.
  REFBRIDGE_TRY(const CodegenConfig oc, load_config(root / old_rel));
  REFBRIDGE_TRY(const CodegenConfig nc, load_config(root / new_rel));
  DiffReport all;
  for (const auto& a : oc.apis) {
    const auto it = std::find_if(nc.apis.begin(), nc.apis.end(), [&](const ApiConfig& b) { return b.name == a.name; });
    REFBRIDGE_TRY(const ir::Api o, load_api(root, a.spec, a.name, a.cpp_namespace));
    if (it == nc.apis.end()) {
      all.changes.push_back(SchemaChange{ChangeKind::kBreaking, a.name + "/", "API removed", a.spec, "-"});
      continue;
    }
    REFBRIDGE_TRY(const ir::Api n, load_api(root, it->spec, it->name, it->cpp_namespace));
    auto part = diff_apis(o, n, a.name + "/");
    all.changes.insert(all.changes.end(), part.changes.begin(), part.changes.end());
  }
  for (const auto& b : nc.apis) {
    if (std::none_of(oc.apis.begin(), oc.apis.end(), [&](const ApiConfig& a) { return a.name == b.name; })) {
      all.changes.push_back(SchemaChange{ChangeKind::kCompatible, b.name + "/", "API added", "-", b.spec});
    }
  }
  std::sort(all.changes.begin(), all.changes.end(), [](const SchemaChange& a, const SchemaChange& b) {
    return std::tie(a.kind, a.subject, a.what, a.old_at, a.new_at) < std::tie(b.kind, b.subject, b.what, b.old_at, b.new_at);
  });
  return all;
}

int run_diff(const std::filesystem::path& root, const std::string& old_rel, const std::string& new_rel,
             std::ostream& out, std::ostream& err) {
  auto report = diff_files(root, old_rel, new_rel);
  if (!report) {
    err << "refbridge-codegen diff: " << report.error().message << "\n";
    return 2;
  }
  out << report.value().render();
  return report.value().breaking() ? 1 : 0;
}

}  // namespace refbridge::codegen
