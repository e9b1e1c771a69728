// Mapping compiler: checks a parsed mapping spec (mapping_spec.h) against the APIs' IR and the
// profile, then emits the transform. See mapping_compiler.h for the contract.
//
// Emitted code shape (deterministic: spec order everywhere, no timestamps):
//   1. profile data (constants, lookup tables) fetched once (kConfig when missing);
//   2. one `const T* const src_...` per source path (nullptr = absent), or a
//      `std::vector<const T*>` for paths through a list;
//   3. `require:` check (rule required-fields), then the gates;
//   4. one local per target model node (root, services_section[0], ...), one block per rule,
//      then the nodes are assembled bottom-up.
#include "mapping_compiler.h"

#include "mapping.pb.h"
#include "mapping_diagnostics.h"
#include "mapping_profile.h"
#include "mapping_requirements.h"
#include "mapping_spec.h"
#include "names.h"
#include "printer.h"
#include "schema_loader.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace refbridge::codegen {
namespace {

using mapping_detail::did_you_mean;
using mapping_detail::Diagnostics;
using mapping_detail::SpecProfile;

// ---------------------------------------------------------------------------------------------
// Types

bool is_optional_member(const ir::Field& f) { return !f.required() || f.nullable(); }

std::string short_namespace(const std::string& ns) {
  const std::string prefix = "refbridge::";
  return ns.rfind(prefix, 0) == 0 ? ns.substr(prefix.size()) : ns;
}

std::string cpp_type_of(const ir::TypeRef& t, const ir::Api& api) {
  return cpp_type(t, short_namespace(api.cpp_namespace()) + "::");
}

bool same_type(const ir::TypeRef& a, const ir::Api& aa, const ir::TypeRef& b, const ir::Api& ba) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ir::TypeRef::MODEL:
    case ir::TypeRef::ENUM: return a.model() == b.model() && aa.name() == ba.name();
    case ir::TypeRef::ARRAY:
    case ir::TypeRef::MAP: return same_type(a.element(), aa, b.element(), ba);
    default: return true;
  }
}

/// Conversion parameter / return type names of the spec.
struct ConvType {
  ir::TypeRef::Kind kind = ir::TypeRef::KIND_UNSPECIFIED;
  bool optional = false;
  std::string cpp;  // base C++ type
};

std::optional<ConvType> parse_conv_type(std::string s) {
  ConvType t;
  if (!s.empty() && s.back() == '?') {
    t.optional = true;
    s.pop_back();
  }
  static const std::map<std::string, std::pair<ir::TypeRef::Kind, std::string>> kTypes = {
      {"string", {ir::TypeRef::STRING, "std::string"}},     {"bool", {ir::TypeRef::BOOLEAN, "bool"}},
      {"int32", {ir::TypeRef::INT32, "std::int32_t"}},      {"int64", {ir::TypeRef::INT64, "std::int64_t"}},
      {"number", {ir::TypeRef::NUMBER, "double"}},          {"date", {ir::TypeRef::DATE, "refbridge::CalendarDate"}},
      {"date-time", {ir::TypeRef::DATE_TIME, "refbridge::DateTime"}},
  };
  auto it = kTypes.find(s);
  if (it == kTypes.end()) return std::nullopt;
  t.kind = it->second.first;
  t.cpp = it->second.second;
  return t;
}

/// Text values (lookup results, constants, literals) go into string members as they are and into
/// enum members (refbridge::OpenEnum) through from_text; the profile check has already verified
/// that they are listed values of the enum.
bool takes_text(const ir::TypeRef& t) { return t.kind() == ir::TypeRef::STRING || t.kind() == ir::TypeRef::ENUM; }

std::string text_into(const ir::TypeRef& t, const ir::Api& api, const std::string& expr) {
  return t.kind() == ir::TypeRef::ENUM ? cpp_type_of(t, api) + "::from_text(" + expr + ")" : expr;
}

std::string conv_cpp(const ConvType& t) { return t.optional ? "std::optional<" + t.cpp + ">" : t.cpp; }

std::string cpp_string_literal(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string identifier_from(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string escape_dollars(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths

struct Segment {
  std::string name;
  bool iterate = false;  // "name[]"
  int index = -1;        // "name[3]"
};

std::optional<std::vector<Segment>> split_path(const std::string& text) {
  std::vector<Segment> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t dot = text.find('.', start);
    std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    Segment seg;
    if (const auto br = part.find('['); br != std::string::npos) {
      if (part.back() != ']') return std::nullopt;
      const std::string inside = part.substr(br + 1, part.size() - br - 2);
      seg.name = part.substr(0, br);
      if (inside.empty()) {
        seg.iterate = true;
      } else {
        if (inside.find_first_not_of("0123456789") != std::string::npos || inside.size() > 4) return std::nullopt;
        seg.index = std::atoi(inside.c_str());
      }
    } else {
      seg.name = part;
    }
    if (seg.name.empty()) return std::nullopt;
    out.push_back(seg);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

struct Step {
  const ir::Field* field = nullptr;
  bool optional = false;
  bool iterate = false;
};

struct SourcePath {
  std::string text;
  const mapping::Source* source = nullptr;
  const ir::Api* api = nullptr;
  std::vector<Step> steps;        // after the source
  const ir::Field* leaf = nullptr;
  ir::TypeRef type;               // leaf type (element type when the leaf itself is iterated)
  bool iterates = false;          // through a list source or a "[]" step: yields many values
  bool may_be_absent = false;     // some optional step (non-iterating paths)
  std::string display;            // path without the source name (messages, required-fields)
  std::string var;                // emitted variable
  bool used = false;              // read by a rule, require or gate (only those are emitted)
};

struct TargetNode {
  const ir::Model* model = nullptr;
  std::string var;
  std::string path;  // "" for the root, "services_section[0]"
  // children: field json name -> index -> node (index -1 for a plain model member)
  std::map<std::string, std::map<int, std::unique_ptr<TargetNode>>> children;
  std::vector<const ir::Field*> child_fields;  // in first-use order
  std::set<std::string> assigned;              // leaf members set by rules (json names)
  ir::SourceLocation first_use;
};

struct TargetLeaf {
  std::string path;  // as written in the spec
  TargetNode* node = nullptr;
  const ir::Field* field = nullptr;
  bool optional = false;
  std::string lvalue;
};

// A checked lookup: what lookup_lines() needs to emit it.
struct LookupPlan {
  mapping::OnMissing on_missing = mapping::REJECT;  // effective (a total lookup rejects unlisted wire values)
  std::string table;
  std::string lt;        // "lt_<table>": the emitted `const refbridge::LookupTable*`
  std::string display;   // source field named in rejection messages
  std::string summary;   // comment text: "lookup table[path], on_missing: x"
};

// ---------------------------------------------------------------------------------------------

class Compiler {
 public:
  Compiler(const mapping::Mapping& m, const SpecProfile& profile, const std::map<std::string, ir::Api>& apis,
           Diagnostics& diags)
      : m_(m), profile_(profile), apis_(apis), diags_(diags), forms_(m, apis, diags) {}

  bool run(const std::string& out_rel_dir, std::vector<GeneratedFile>& files);
  /// The profile file(s) named in the generated header ("checked at generation: ...").
  void set_profiles_note(std::string note) { profiles_note_ = std::move(note); }
  /// Prefix of the emitted project includes ("refbridge" -> "refbridge/ping/models.h"); empty: none.
  void set_include_root(std::string root) { include_root_ = root.empty() ? root : root + "/"; }

 private:
  const ir::Api* api(const std::string& name, const ir::SourceLocation& at);
  const ir::Model* model(const ir::Api& a, const std::string& name, const ir::SourceLocation& at);
  SourcePath* source_path(const mapping::Path& p);
  std::optional<TargetLeaf> target_leaf(const mapping::Rule& r);
  bool guaranteed(const SourcePath& sp) const { return !sp.may_be_absent || required_.count(sp.text) != 0; }
  std::string type_name(const ir::TypeRef& t, const ir::Api& a) const { return cpp_type_of(t, a); }
  std::string target_desc(const TargetLeaf& leaf) const {
    return "target '" + leaf.path + "' (" + cpp_type_of(leaf.field->type(), *target_api_) + ")";
  }
  std::string source_desc(const SourcePath& sp) const {
    return "source '" + sp.text + "' (" + cpp_type_of(sp.type, *sp.api) + ")";
  }
  const mapping::Lookup* declared_lookup(const std::string& table, const ir::SourceLocation& at);
  bool declared_constant(const std::string& name, const ir::SourceLocation& at);
  std::vector<std::string> target_enum(const TargetLeaf& leaf) const;
  void check_enum_value(const TargetLeaf& leaf, const std::string& value, const std::string& origin,
                        const ir::SourceLocation& at);
  std::optional<std::string> literal_code(const TargetLeaf& leaf, const std::string& value,
                                          const ir::SourceLocation& at);
  std::optional<LookupPlan> check_lookup(const mapping::LookupRule& lk, const SourcePath& s, const TargetLeaf& leaf,
                                         const ir::SourceLocation& at, bool join_part);
  std::optional<std::string> condition_code(const mapping::Condition& c);
  void compile_rule(const mapping::Rule& r);
  void check_profile_declarations();
  void check_coverage(const TargetNode& node, const ir::Api& a);
  std::vector<std::string> source_enum(const SourcePath& sp) const;
  void check_unused_sources();
  void emit_source_vars(Printer& p) const;
  void emit_assembly(Printer& p, const TargetNode& node) const;
  void declare_nodes(Printer& p, const TargetNode& node) const;

  const mapping::Mapping& m_;
  const SpecProfile& profile_;
  const std::map<std::string, ir::Api>& apis_;
  Diagnostics& diags_;
  mapping_detail::PrimeroFormsCollector forms_;  // primero_forms: requirements

  const ir::Api* target_api_ = nullptr;
  std::unique_ptr<TargetNode> root_;
  std::map<std::string, std::unique_ptr<SourcePath>> paths_;  // by text
  std::vector<const SourcePath*> path_order_;                 // first-use order
  std::set<std::string> required_;
  std::set<std::string> used_constants_, used_tables_;
  std::set<std::string> default_tables_;  // tables used with on_missing: default
  std::vector<std::string> rule_code_;    // one block per rule, spec order
  std::map<std::string, TargetLeaf> assigned_;  // target paths set by the rules compiled so far
  int node_counter_ = 0;
  std::string profiles_note_;
  std::string include_root_;  // "" or "<root>/"
};

const ir::Api* Compiler::api(const std::string& name, const ir::SourceLocation& at) {
  auto it = apis_.find(name);
  if (it != apis_.end()) return &it->second;
  std::vector<std::string> names;
  for (const auto& [k, v] : apis_) names.push_back(k);
  diags_.error(at, "unknown API '" + name + "' (known: " + join(names, ", ") + ")." + did_you_mean(name, names));
  return nullptr;
}

const ir::Model* Compiler::model(const ir::Api& a, const std::string& name, const ir::SourceLocation& at) {
  std::vector<std::string> names;
  for (const auto& mod : a.models()) {
    if (mod.name() == name) return &mod;
    names.push_back(mod.name());
  }
  diags_.error(at, "no model '" + name + "' in API '" + a.name() + "'." + did_you_mean(name, names));
  return nullptr;
}

const ir::Field* find_field(const ir::Model& mod, const std::string& json_name) {
  for (const auto& f : mod.fields()) {
    if (f.json_name() == json_name) return &f;
  }
  return nullptr;
}

std::vector<std::string> field_names(const ir::Model& mod) {
  std::vector<std::string> out;
  for (const auto& f : mod.fields()) out.push_back(f.json_name());
  return out;
}

SourcePath* Compiler::source_path(const mapping::Path& p) {
  if (auto it = paths_.find(p.text()); it != paths_.end()) return it->second.get();
  const auto& at = p.location();
  auto segs = split_path(p.text());
  if (!segs) {
    diags_.error(at, "malformed path '" + p.text() + "' (expected source.member.member, 'name[]' to iterate)");
    return nullptr;
  }
  auto sp = std::make_unique<SourcePath>();
  sp->text = p.text();
  std::vector<std::string> source_names;
  for (const auto& s : m_.sources()) {
    source_names.push_back(s.name());
    if (s.name() == (*segs)[0].name) sp->source = &s;
  }
  if (sp->source == nullptr) {
    diags_.error(at, "No source named '" + (*segs)[0].name + "' in path '" + p.text() + "' (sources: " +
                         join(source_names, ", ") + ")." + did_you_mean((*segs)[0].name, source_names));
    return nullptr;
  }
  if (sp->source->list() != (*segs)[0].iterate || (*segs)[0].index >= 0) {
    diags_.error(at, sp->source->list() ? "source '" + sp->source->name() + "' is a list: write '" +
                                               sp->source->name() + "[]." + "...'"
                                        : "source '" + sp->source->name() + "' is not a list: remove the brackets");
    return nullptr;
  }
  sp->iterates = sp->source->list();
  auto ai = apis_.find(sp->source->api());
  if (ai == apis_.end()) return nullptr;  // reported with the source declaration
  sp->api = &ai->second;
  const ir::Model* cur = nullptr;
  for (const auto& mod : sp->api->models()) {
    if (mod.name() == sp->source->model()) cur = &mod;
  }
  if (cur == nullptr) return nullptr;  // reported with the source declaration
  if (segs->size() < 2) {
    diags_.error(at, "path '" + p.text() + "' names a whole source; name a member");
    return nullptr;
  }
  std::vector<std::string> shown;
  for (std::size_t i = 1; i < segs->size(); ++i) {
    const Segment& seg = (*segs)[i];
    if (cur == nullptr) {
      diags_.error(at, "'" + (*segs)[i - 1].name + "' in path '" + p.text() + "' is not a model; it has no member '" +
                           seg.name + "'");
      return nullptr;
    }
    const ir::Field* f = find_field(*cur, seg.name);
    if (f == nullptr) {
      diags_.error(at, "No property named '" + seg.name + "' exists in source model " + sp->api->name() + "." +
                           cur->name() + " (path '" + p.text() + "')." + did_you_mean(seg.name, field_names(*cur)));
      return nullptr;
    }
    Step st{f, is_optional_member(*f), seg.iterate};
    ir::TypeRef t = f->type();
    if (seg.index >= 0) {
      diags_.error(at, "source paths cannot index lists ('" + seg.name + "[" + std::to_string(seg.index) +
                           "]'); iterate with '" + seg.name + "[]'");
      return nullptr;
    }
    if (seg.iterate) {
      if (t.kind() != ir::TypeRef::ARRAY) {
        diags_.error(at, "'" + seg.name + "' is not a list; remove the brackets in '" + p.text() + "'");
        return nullptr;
      }
      if (sp->iterates) {
        diags_.error(at, "path '" + p.text() + "' iterates twice; only one list level is supported");
        return nullptr;
      }
      sp->iterates = true;
      t = ir::TypeRef(t.element());
    } else if (t.kind() == ir::TypeRef::ARRAY && i + 1 < segs->size()) {
      diags_.error(at, "'" + seg.name + "' is a list; write '" + seg.name + "[]' to iterate it");
      return nullptr;
    }
    if (!sp->iterates && st.optional) sp->may_be_absent = true;
    sp->steps.push_back(st);
    shown.push_back(seg.name);
    sp->leaf = f;
    sp->type = t;
    cur = nullptr;
    if (t.kind() == ir::TypeRef::MODEL) {
      for (const auto& mod : sp->api->models()) {
        if (mod.name() == t.model()) cur = &mod;
      }
    }
  }
  sp->display = join(shown, ".");
  sp->var = "src_" + identifier_from(p.text());
  SourcePath* raw = sp.get();
  paths_.emplace(p.text(), std::move(sp));
  path_order_.push_back(raw);
  return raw;
}

std::optional<TargetLeaf> Compiler::target_leaf(const mapping::Rule& r) {
  const auto& at = r.target().location();
  const std::string& text = r.target().text();
  auto segs = split_path(text);
  if (!segs || !root_) {
    if (!segs) diags_.error(at, "malformed target path '" + text + "' (expected member.member or list[0].member)");
    return std::nullopt;
  }
  TargetNode* node = root_.get();
  for (std::size_t i = 0; i < segs->size(); ++i) {
    const Segment& seg = (*segs)[i];
    const ir::Field* f = find_field(*node->model, seg.name);
    if (f == nullptr) {
      diags_.error(at, "No property named '" + seg.name + "' exists in target model " + target_api_->name() + "." +
                           node->model->name() + " (target '" + text + "')." +
                           did_you_mean(seg.name, field_names(*node->model)));
      return std::nullopt;
    }
    if (seg.iterate) {
      diags_.error(at, "target paths index lists explicitly ('" + seg.name + "[0]'), '[]' is for sources");
      return std::nullopt;
    }
    const bool last = i + 1 == segs->size();
    ir::TypeRef t = f->type();
    if (seg.index >= 0) {
      if (t.kind() != ir::TypeRef::ARRAY || t.element().kind() != ir::TypeRef::MODEL) {
        diags_.error(at, "'" + seg.name + "' is not a list of models; it cannot be indexed in '" + text + "'");
        return std::nullopt;
      }
      t = ir::TypeRef(t.element());
    }
    if (last) {
      if (seg.index >= 0 || t.kind() == ir::TypeRef::MODEL) {
        diags_.error(at, "target '" + text + "' is a whole model; map its members one by one");
        return std::nullopt;
      }
      if (node->assigned.count(seg.name) || node->children.count(seg.name)) {
        diags_.error(at, "Target property '" + text + "' must not be mapped more than once.");
        return std::nullopt;
      }
      node->assigned.insert(seg.name);
      TargetLeaf leaf{text, node, f, is_optional_member(*f), node->var + "." + f->cpp_name()};
      return leaf;
    }
    if (t.kind() != ir::TypeRef::MODEL) {
      diags_.error(at, "'" + seg.name + "' in target '" + text + "' is not a model; it has no member '" +
                           (*segs)[i + 1].name + "'");
      return std::nullopt;
    }
    if (node->assigned.count(seg.name)) {
      diags_.error(at, "Target property '" + seg.name + "' must not be mapped more than once.");
      return std::nullopt;
    }
    auto& slot = node->children[seg.name];
    if (slot.empty()) node->child_fields.push_back(f);
    auto& child = slot[seg.index];
    if (!child) {
      child = std::make_unique<TargetNode>();
      child->model = nullptr;
      for (const auto& mod : target_api_->models()) {
        if (mod.name() == t.model()) child->model = &mod;
      }
      if (child->model == nullptr) return std::nullopt;
      child->path = (node->path.empty() ? "" : node->path + ".") + seg.name +
                    (seg.index >= 0 ? "[" + std::to_string(seg.index) + "]" : "");
      child->var = "t_" + identifier_from(child->path);
      child->first_use = at;
      ++node_counter_;
    }
    node = child.get();
  }
  return std::nullopt;
}

const mapping::Lookup* Compiler::declared_lookup(const std::string& table, const ir::SourceLocation& at) {
  std::vector<std::string> names;
  for (const auto& l : m_.lookups()) {
    if (l.table() == table) {
      used_tables_.insert(table);
      return &l;
    }
    names.push_back(l.table());
  }
  diags_.error(at, "lookup table '" + table + "' is not declared under 'lookups:'." + did_you_mean(table, names));
  return nullptr;
}

bool Compiler::declared_constant(const std::string& name, const ir::SourceLocation& at) {
  std::vector<std::string> names;
  for (const auto& c : m_.constants()) {
    if (c.name() == name) {
      used_constants_.insert(name);
      return true;
    }
    names.push_back(c.name());
  }
  diags_.error(at, "constant '" + name + "' is not declared under 'constants:'." + did_you_mean(name, names));
  return false;
}

std::vector<std::string> Compiler::target_enum(const TargetLeaf& leaf) const {
  std::vector<std::string> values(leaf.field->enum_values().begin(), leaf.field->enum_values().end());
  if (values.empty()) {
    const ir::TypeRef& t = leaf.field->type().kind() == ir::TypeRef::ARRAY ? leaf.field->type().element()
                                                                            : leaf.field->type();
    if (t.kind() == ir::TypeRef::ENUM) {
      for (const auto& mod : target_api_->models()) {
        if (mod.name() == t.model()) values.assign(mod.enum_values().begin(), mod.enum_values().end());
      }
    }
  }
  return values;
}

void Compiler::check_enum_value(const TargetLeaf& leaf, const std::string& value, const std::string& origin,
                                const ir::SourceLocation& at) {
  const auto allowed = target_enum(leaf);
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  diags_.error(at, origin + " value '" + value + "' is not a valid value of " + target_api_->name() + "." +
                       leaf.node->model->name() + "." + leaf.field->json_name() + " (allowed: " + join(allowed, ", ") +
                       ")." + did_you_mean(value, allowed));
}

std::optional<std::string> Compiler::literal_code(const TargetLeaf& leaf, const std::string& value,
                                                  const ir::SourceLocation& at) {
  const auto kind = leaf.field->type().kind();
  switch (kind) {
    case ir::TypeRef::STRING:
    case ir::TypeRef::ENUM:
      check_enum_value(leaf, value, "literal", at);
      return text_into(leaf.field->type(), *target_api_, "std::string(" + cpp_string_literal(value) + ")");
    case ir::TypeRef::BOOLEAN:
      if (value == "true" || value == "false") return value;
      break;
    case ir::TypeRef::INT32:
    case ir::TypeRef::INT64:
      if (!value.empty() && value.find_first_not_of("-0123456789") == std::string::npos) {
        return kind == ir::TypeRef::INT32 ? "std::int32_t{" + value + "}" : "std::int64_t{" + value + "}";
      }
      break;
    case ir::TypeRef::NUMBER: {
      char* end = nullptr;
      std::strtod(value.c_str(), &end);
      if (!value.empty() && end != nullptr && *end == '\0') return "double{" + value + "}";
      break;
    }
    default:
      break;
  }
  diags_.error(at, "Can't map literal '" + value + "' to " + target_desc(leaf) + ".");
  return std::nullopt;
}

std::string indent_block(const std::vector<std::string>& lines, const std::string& pad) {
  std::string out;
  for (const auto& l : lines) out += l.empty() ? "\n" : pad + l + "\n";
  return out;
}

std::string on_missing_name(mapping::OnMissing o) {
  switch (o) {
    case mapping::OMIT: return "omit";
    case mapping::DEFAULT: return "default";
    case mapping::REJECT: return "reject";
    case mapping::PASSTHROUGH: return "passthrough";
    default: return "?";
  }
}


// Every check of one lookup (a `lookup:` rule, or a `{lookup: ...}` part of a join, `join_part`),
// in the order a reader meets the problems: declaration, key, types, totality over an enum source,
// on_missing against the table, the target and the profile's values.
std::optional<LookupPlan> Compiler::check_lookup(const mapping::LookupRule& lk, const SourcePath& s,
                                                 const TargetLeaf& leaf, const ir::SourceLocation& at, bool join_part) {
  const ir::TypeRef& tt = leaf.field->type();
  const mapping::Lookup* decl = declared_lookup(lk.table(), at);
  if (decl == nullptr) return std::nullopt;
  if (!decl->key_source().empty() && decl->key_source() != s.text) {
    diags_.error(lk.from().location(), "lookup '" + lk.table() + "' is declared with key '" + decl->key_source() +
                                           "' but this rule looks up '" + s.text + "'");
    return std::nullopt;
  }
  const bool enum_key = s.type.kind() == ir::TypeRef::ENUM;
  if (s.type.kind() != ir::TypeRef::STRING && !(enum_key && !s.iterates)) {
    diags_.error(lk.from().location(), "lookup keys are strings or (single) enums; " + source_desc(s) + " is not one");
    return std::nullopt;
  }
  if (lk.has_join() && (join_part || !s.iterates)) {
    diags_.error(at, "lookup join applies to paths through a list (the results joined into one string); '" + s.text +
                         "' yields one value");
    return std::nullopt;
  }
  if (join_part) {
    if (s.iterates) {
      diags_.error(lk.from().location(), "join parts are single strings; " + source_desc(s) + " goes through a list");
      return std::nullopt;
    }
  } else if (lk.has_join()) {
    if (tt.kind() != ir::TypeRef::STRING) {
      diags_.error(at, "Can't map joined lookup '" + lk.table() + "' (std::string) to " + target_desc(leaf) + ".");
      return std::nullopt;
    }
    if (!leaf.optional) {
      diags_.error(at, "lookup join of '" + s.text + "' may leave no value (an empty list, or every key omitted) but " +
                           target_desc(leaf) + " is required");
      return std::nullopt;
    }
  } else {
    const bool list_target = tt.kind() == ir::TypeRef::ARRAY && tt.element().kind() == ir::TypeRef::STRING;
    if (s.iterates ? !list_target : !takes_text(tt)) {
      diags_.error(at, "Can't map lookup '" + lk.table() + "' of " + source_desc(s) + " to " + target_desc(leaf) +
                           (s.iterates ? ": a path through a list needs a std::vector<std::string> target (or "
                                         "'join: <separator>' for a std::string target)."
                                       : ": lookup values are std::string."));
      return std::nullopt;
    }
  }
  const auto table_it = profile_.lookups.find(lk.table());
  // Enum sources: every value the schema lists must have an entry (the lookup is total), unless
  // on_missing says what happens otherwise; entries for values the enum lacks can never be used.
  const std::vector<std::string> src_enum = source_enum(s);
  if (table_it != profile_.lookups.end() && !src_enum.empty()) {
    if (m_.strict().unused_lookup_entries() == mapping::ERROR) {
      for (const auto& e : table_it->second.entries) {
        if (std::find(src_enum.begin(), src_enum.end(), e.key) != src_enum.end()) continue;
        diags_.error(e.location, "Unused lookup entry '" + e.key + "' in table '" + lk.table() + "' of profile '" +
                                     profile_.name + "': " + source_desc(s) + " only takes " + join(src_enum, ", ") +
                                     " (strict: unused_lookup_entries)." + did_you_mean(e.key, src_enum));
      }
    }
    std::vector<std::string> uncovered;
    for (const auto& v : src_enum) {
      const auto& es = table_it->second.entries;
      if (std::none_of(es.begin(), es.end(), [&](const auto& e) { return e.key == v; })) uncovered.push_back("'" + v + "'");
    }
    if (!uncovered.empty() && lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED) {
      diags_.error(at, "Lookup '" + lk.table() + "' is not total over enum " + source_desc(s) + ": profile '" +
                           profile_.name + "' has no entry for " + join(uncovered, ", ") +
                           ". Add the entries, or state on_missing: default (with a table default), omit or reject.");
      return std::nullopt;
    }
  }
  if (lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED && src_enum.empty()) {
    diags_.error(at, "lookup '" + lk.table() + "' needs on_missing: omit, default or reject: " + source_desc(s) +
                         " is not an enum, so no table can cover every value.");
    return std::nullopt;
  }
  // A total lookup still meets wire values the schema does not list (OpenEnum): those are rejected.
  const mapping::OnMissing om = lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED ? mapping::REJECT : lk.on_missing();
  LookupPlan plan;
  plan.on_missing = om;
  plan.table = lk.table();
  plan.lt = "lt_" + identifier_from(lk.table());
  plan.display = s.display;
  plan.summary = "lookup " + lk.table() + "[" + s.text + "], " +
                 (lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED ? std::string("total over the enum (unlisted = reject)")
                                                                     : "on_missing: " + on_missing_name(om)) +
                 (lk.has_join() ? ", joined with " + cpp_string_literal(lk.join()) : "");
  if (om == mapping::DEFAULT) {
    default_tables_.insert(lk.table());
    if (!decl->default_allowed()) {
      diags_.error(at, "on_missing: default, but lookup '" + lk.table() +
                           "' is declared with 'default: false' under 'lookups:'");
      return std::nullopt;
    }
    if (table_it != profile_.lookups.end() && !table_it->second.default_value) {
      diags_.error(at, "on_missing: default, but lookup table '" + lk.table() + "' of profile '" + profile_.name +
                           "' (" + profile_.file + ") has no default");
      return std::nullopt;
    }
  }
  // passthrough: the key text itself is the value, so both sides must be plain strings (an enum key
  // is not a target value, and a key is not a valid value of a target enum).
  const ir::TypeRef& tt_text = tt.kind() == ir::TypeRef::ARRAY ? tt.element() : tt;
  if (om == mapping::PASSTHROUGH && (enum_key || tt_text.kind() != ir::TypeRef::STRING || !target_enum(leaf).empty())) {
    diags_.error(at, "on_missing: passthrough copies an unknown key unchanged, so the source and the target must both be "
                     "plain strings; " + (enum_key ? source_desc(s) : target_desc(leaf)) + " is not one. Use omit, "
                     "default or reject.");
    return std::nullopt;
  }
  if (om == mapping::OMIT && !leaf.optional && !join_part) {
    diags_.error(at, "on_missing: omit can leave required " + target_desc(leaf) + " unset; use default or reject");
    return std::nullopt;
  }
  if (lk.distinct() && !s.iterates) {
    diags_.error(at, "distinct applies to paths through a list; '" + s.text + "' yields one value");
    return std::nullopt;
  }
  const bool sure = s.iterates || guaranteed(s);
  if (!sure && !leaf.optional && !join_part) {
    diags_.error(lk.from().location(), "Source '" + s.text + "' is optional but " + target_desc(leaf) +
                                           " is required: add a default, or list the source under 'require:'.");
    return std::nullopt;
  }
  if (table_it != profile_.lookups.end()) {
    for (const auto& e : table_it->second.entries) {
      check_enum_value(leaf, e.value, "lookup '" + lk.table() + "' entry '" + e.key + "':", e.location);
    }
    if (table_it->second.default_value && om != mapping::REJECT) {
      check_enum_value(leaf, table_it->second.default_value->value, "lookup '" + lk.table() + "' default",
                       table_it->second.default_value->location);
    }
  }
  return plan;
}

// Statements looking `key` (a std::string expression) up: `assign(v)` is the statement storing the
// found text expression v. A miss: reject and default return from the transform (rule
// lookup-<table> / kConfig), omit stores nothing (`continue` inside a loop), passthrough stores the
// key itself (the table default is not used).
std::vector<std::string> lookup_lines(const LookupPlan& p, const std::string& key, bool in_loop,
                                      const std::function<std::string(const std::string&)>& assign,
                                      const std::string& pad) {
  std::vector<std::string> out;
  switch (p.on_missing) {
    case mapping::REJECT:
      out.push_back(pad + "if (!" + p.lt + "->contains(" + key + ")) {");
      out.push_back(pad + "  return refbridge::make_rejection(" + cpp_string_literal("lookup-" + p.table) + ", " +
                    cpp_string_literal(p.display + " value '") + " + " + key + " + " +
                    cpp_string_literal("' has no entry in lookup " + p.table + " (profile ") + " + profile.name + \")\");");
      out.push_back(pad + "}");
      out.push_back(pad + assign(p.lt + "->entries.at(" + key + ")"));
      break;
    case mapping::DEFAULT:
      out.push_back(pad + "std::optional<std::string> found = " + p.lt + "->find(" + key + ");");
      out.push_back(pad + "if (!found) {");
      out.push_back(pad + "  return refbridge::make_error(refbridge::ErrorCode::kConfig, \"profile '\" + profile.name + "
                          "\"' has no default for lookup table '" + p.table + "'\");");
      out.push_back(pad + "}");
      out.push_back(pad + assign("std::move(*found)"));
      break;
    case mapping::PASSTHROUGH:
      out.push_back(pad + assign("(" + p.lt + "->contains(" + key + ") ? " + p.lt + "->entries.at(" + key + ") : " +
                                 key + ")"));
      break;
    default:  // OMIT
      if (in_loop) {
        out.push_back(pad + "std::optional<std::string> found = " + p.lt + "->find(" + key + ");");
        out.push_back(pad + "if (!found) continue;");
        out.push_back(pad + assign("std::move(*found)"));
      } else {
        out.push_back(pad + "if (std::optional<std::string> found = " + p.lt + "->find(" + key + ")) " +
                      assign("std::move(*found)"));
      }
  }
  return out;
}

// `when: {target, equals}`: the C++ test that target member `target` (set by an earlier rule, so
// spec order is evaluation order) holds `equals`. Strings compare as text, enums by wire text
// (`equals` must then be a value of the enum); an optional member that is absent fails the test.
std::optional<std::string> Compiler::condition_code(const mapping::Condition& c) {
  const std::string& text = c.target().text();
  auto it = assigned_.find(text);
  if (it == assigned_.end()) {
    std::vector<std::string> names;
    for (const auto& [path, leaf] : assigned_) names.push_back(path);
    diags_.error(c.target().location(), "when: target '" + text + "' is not set by an earlier rule (a condition reads "
                                            "a target member that a rule above it sets)." + did_you_mean(text, names));
    return std::nullopt;
  }
  const TargetLeaf& t = it->second;
  const auto kind = t.field->type().kind();
  if (kind != ir::TypeRef::STRING && kind != ir::TypeRef::ENUM) {
    diags_.error(c.target().location(), "when: equals compares a string or enum member; " + target_desc(t) +
                                            " is neither");
    return std::nullopt;
  }
  const std::size_t before = diags_.list().size();
  check_enum_value(t, c.equals(), "when: equals", c.location());
  if (diags_.list().size() != before) return std::nullopt;
  const std::string value = cpp_string_literal(c.equals());
  const std::string& L = t.lvalue;
  if (kind == ir::TypeRef::ENUM) {
    return t.optional ? "(" + L + " && " + L + "->text() == " + value + ")" : L + ".text() == " + value;
  }
  return t.optional ? "(" + L + " && *" + L + " == " + value + ")" : L + " == " + value;
}

void Compiler::compile_rule(const mapping::Rule& r) {
  const auto& at = r.target().location();
  // Resolve the sources first so that their problems are reported even when the target is wrong.
  std::vector<SourcePath*> srcs;
  bool sources_ok = true;
  auto resolve = [&](const mapping::Path& p) {
    SourcePath* sp = source_path(p);
    if (sp == nullptr) {
      sources_ok = false;
    } else {
      sp->used = true;
      forms_.read(sp->source->name(), sp->steps.front().field->json_name(), p.location(), "rule " + r.target().text());
    }
    srcs.push_back(sp);
    return sp;
  };
  switch (r.kind_case()) {
    case mapping::Rule::kCopy: resolve(r.copy().from()); break;
    case mapping::Rule::kLookup: resolve(r.lookup().from()); break;
    case mapping::Rule::kConvert:
      for (const auto& p : r.convert().from()) resolve(p);
      break;
    case mapping::Rule::kJoin:
      for (const auto& part : r.join().parts()) resolve(part.has_lookup() ? part.lookup().from() : part.path());
      break;
    default: break;
  }
  auto leaf_opt = target_leaf(r);
  if (!leaf_opt || !sources_ok) return;
  const TargetLeaf& leaf = *leaf_opt;
  const std::string& L = leaf.lvalue;
  const ir::TypeRef& tt = leaf.field->type();
  std::vector<std::string> body;
  std::string summary;
  auto optional_into_required = [&](const SourcePath& sp, const ir::SourceLocation& where) {
    diags_.error(where, "Source '" + sp.text + "' is optional but " + target_desc(leaf) +
                            " is required: add a default, or list the source under 'require:'.");
  };

  switch (r.kind_case()) {
    case mapping::Rule::kCopy: {
      const auto& c = r.copy();
      const SourcePath& s = *srcs[0];
      summary = "copy " + s.text;
      if (c.omit_empty() && s.type.kind() != ir::TypeRef::STRING) {
        diags_.error(at, "omit_empty applies to strings; " + source_desc(s) + " is not one");
        return;
      }
      if (s.iterates) {
        if (tt.kind() != ir::TypeRef::ARRAY || !same_type(s.type, *s.api, tt.element(), *target_api_)) {
          diags_.error(c.from().location(), "Can't map list " + source_desc(s) + " to " + target_desc(leaf) +
                                                ": a path through a list needs a list target of the same element type.");
          return;
        }
        const std::string et = cpp_type_of(s.type, *s.api);
        body.push_back("std::vector<" + et + "> values;");
        body.push_back("for (const " + et + "* value : " + s.var + ") {");
        if (c.omit_empty()) body.push_back("  if (value->empty()) continue;");
        body.push_back("  values.push_back(*value);");
        body.push_back("}");
        body.push_back(leaf.optional ? "if (!values.empty()) " + L + " = std::move(values);" : L + " = std::move(values);");
        break;
      }
      // Lossy conversions are errors unless declared: int64 -> int32 needs `lossy: narrowing` (or a
      // conversion); date-time -> date only through a declared conversion. int32 -> int64 widens.
      const bool narrowing = s.type.kind() == ir::TypeRef::INT64 && tt.kind() == ir::TypeRef::INT32;
      const bool widening = s.type.kind() == ir::TypeRef::INT32 && tt.kind() == ir::TypeRef::INT64;
      if (c.lossy_narrowing() && !narrowing) {
        diags_.error(c.lossy_location(), "'lossy: narrowing' declared, but " + source_desc(s) + " into " +
                                             target_desc(leaf) + " does not narrow; remove it.");
        return;
      }
      if (narrowing && !c.lossy_narrowing()) {
        diags_.error(c.from().location(), "Lossy conversion from " + source_desc(s) + " to " + target_desc(leaf) +
                                              ": int64 -> int32 narrows. Declare it with 'lossy: narrowing' (out-of-range "
                                              "values are then rejected at run time) or use a declared conversion.");
        return;
      }
      if (s.type.kind() == ir::TypeRef::DATE_TIME && tt.kind() == ir::TypeRef::DATE) {
        diags_.error(c.from().location(), "Lossy conversion from " + source_desc(s) + " to " + target_desc(leaf) +
                                              ": a date-time's time of day and offset decide the calendar date. Declare "
                                              "a conversion under 'conversions:' and use 'convert:'.");
        return;
      }
      if (!narrowing && !widening && !same_type(s.type, *s.api, tt, *target_api_)) {
        diags_.error(c.from().location(), "Can't map " + source_desc(s) + " to " + target_desc(leaf) +
                                              ": the types differ. Declare a conversion under 'conversions:' and use "
                                              "'convert:'.");
        return;
      }
      std::string def;
      if (!c.default_constant().empty()) {
        if (!declared_constant(c.default_constant(), at)) return;
        if (!takes_text(tt)) {
          diags_.error(at, "Can't map constant '" + c.default_constant() + "' (std::string) to " + target_desc(leaf) + ".");
          return;
        }
        if (auto it = profile_.constants.find(c.default_constant()); it != profile_.constants.end()) {
          check_enum_value(leaf, it->second.value, "constant '" + c.default_constant() + "'", it->second.location);
        }
        def = text_into(tt, *target_api_, "c_" + identifier_from(c.default_constant()));
        summary += ", else constant " + c.default_constant();
      } else if (c.has_default_literal()) {
        auto lit = literal_code(leaf, c.default_literal(), at);
        if (!lit) return;
        def = *lit;
        summary += ", else literal " + c.default_literal();
      }
      const bool sure = guaranteed(s);
      if (!sure && !leaf.optional && def.empty()) {
        optional_into_required(s, c.from().location());
        return;
      }
      std::vector<std::string> conds;
      if (!sure) conds.push_back(s.var + " != nullptr");
      if (c.omit_empty()) conds.push_back("!" + s.var + "->empty()");
      std::string value = "*" + s.var;
      auto range_check = [&](const std::string& pad) {
        if (!narrowing) return;
        body.push_back(pad + "if (" + value + " < INT32_MIN || " + value + " > INT32_MAX) {");
        body.push_back(pad + "  return refbridge::make_rejection(\"narrowing\", " +
                       cpp_string_literal(s.display + " is outside the range of " + leaf.path + " (int32)") + ");");
        body.push_back(pad + "}");
      };
      if (narrowing) summary += " (lossy: narrowing, out of range = rejected)";
      if (conds.empty()) {
        range_check("");
        if (narrowing) value = "static_cast<std::int32_t>(" + value + ")";
        body.push_back(L + " = " + value + ";");
      } else {
        body.push_back("if (" + join(conds, " && ") + ") {");
        range_check("  ");
        if (narrowing) value = "static_cast<std::int32_t>(" + value + ")";
        body.push_back("  " + L + " = " + value + ";");
        if (!def.empty()) {
          body.push_back("} else {");
          body.push_back("  " + L + " = " + def + ";");
        }
        body.push_back("}");
      }
      if (c.omit_empty()) summary += " (empty = absent)";
      break;
    }
    case mapping::Rule::kConstant: {
      const std::string& name = r.constant().name();
      summary = "constant " + name;
      if (!declared_constant(name, at)) return;
      if (!takes_text(tt)) {
        diags_.error(at, "Can't map constant '" + name + "' (std::string) to " + target_desc(leaf) + ".");
        return;
      }
      if (auto it = profile_.constants.find(name); it != profile_.constants.end()) {
        check_enum_value(leaf, it->second.value, "constant '" + name + "'", it->second.location);
      }
      body.push_back(L + " = " + text_into(tt, *target_api_, "c_" + identifier_from(name)) + ";");
      break;
    }
    case mapping::Rule::kLiteral: {
      summary = "literal " + r.literal().value();
      auto lit = literal_code(leaf, r.literal().value(), at);
      if (!lit) return;
      body.push_back(L + " = " + *lit + ";");
      break;
    }
    case mapping::Rule::kLookup: {
      const auto& lk = r.lookup();
      const SourcePath& s = *srcs[0];
      auto plan = check_lookup(lk, s, leaf, at, /*join_part=*/false);
      if (!plan) return;
      summary = plan->summary;
      if (s.iterates) {
        body.push_back("std::vector<std::string> values;");
        body.push_back("for (const std::string* key : " + s.var + ") {");
        for (auto& l : lookup_lines(*plan, "*key", /*in_loop=*/true,
                                    [](const std::string& v) { return "std::string value = " + v + ";"; }, "  ")) {
          body.push_back(std::move(l));
        }
        if (lk.distinct()) {
          body.push_back("  if (std::find(values.begin(), values.end(), value) != values.end()) continue;  // distinct");
        }
        body.push_back("  values.push_back(std::move(value));");
        body.push_back("}");
        if (lk.has_join()) {
          // One string: the results joined; none left -> omitted (the target is optional, checked).
          body.push_back("if (!values.empty()) {");
          body.push_back("  std::string joined = values.front();");
          body.push_back("  for (std::size_t i = 1; i < values.size(); ++i) joined += " + cpp_string_literal(lk.join()) +
                         " + values[i];");
          body.push_back("  " + L + " = std::move(joined);");
          body.push_back("}");
        } else {
          body.push_back(leaf.optional ? "if (!values.empty()) " + L + " = std::move(values);"
                                       : L + " = std::move(values);");
        }
        break;
      }
      const std::string key_text =
          s.type.kind() == ir::TypeRef::ENUM ? "std::string(to_string(*" + s.var + "))" : "*" + s.var;
      const std::string pad = guaranteed(s) ? "" : "  ";
      if (!guaranteed(s)) body.push_back("if (" + s.var + " != nullptr) {");
      for (auto& l : lookup_lines(*plan, key_text, /*in_loop=*/false,
                                  [&](const std::string& v) { return L + " = " + text_into(tt, *target_api_, v) + ";"; },
                                  pad)) {
        body.push_back(std::move(l));
      }
      if (!guaranteed(s)) body.push_back("}");
      break;
    }
    case mapping::Rule::kConvert: {
      const auto& cv = r.convert();
      summary = "convert " + cv.function() + "(";
      const mapping::Conversion* decl = nullptr;
      std::vector<std::string> names;
      for (const auto& c : m_.conversions()) {
        if (c.name() == cv.function()) decl = &c;
        names.push_back(c.name());
      }
      if (decl == nullptr) {
        diags_.error(at, "conversion '" + cv.function() + "' is not declared under 'conversions:'." +
                             did_you_mean(cv.function(), names));
        return;
      }
      const auto ret = parse_conv_type(decl->returns());
      if (!ret) return;  // reported with the declaration
      if (decl->params_size() != cv.from_size()) {
        diags_.error(at, "conversion '" + cv.function() + "' takes " + std::to_string(decl->params_size()) +
                             " argument(s), the rule passes " + std::to_string(cv.from_size()));
        return;
      }
      std::vector<std::string> guards, args = {"ctx"};
      for (int i = 0; i < cv.from_size(); ++i) {
        const SourcePath& s = *srcs[static_cast<std::size_t>(i)];
        summary += (i ? ", " : "") + s.text;
        const auto pt = parse_conv_type(decl->params(i));
        if (!pt) return;
        if (s.iterates) {
          diags_.error(cv.from(i).location(), "conversions take single values; '" + s.text + "' goes through a list");
          return;
        }
        if (s.type.kind() != pt->kind) {
          diags_.error(cv.from(i).location(), "Can't pass " + source_desc(s) + " as argument " + std::to_string(i + 1) +
                                                  " of conversion '" + cv.function() + "', which takes " + conv_cpp(*pt) +
                                                  ".");
          return;
        }
        if (pt->optional) {
          args.push_back(guaranteed(s) ? "std::optional<" + pt->cpp + ">(*" + s.var + ")"
                                       : "(" + s.var + " != nullptr ? std::optional<" + pt->cpp + ">(*" + s.var +
                                             ") : std::nullopt)");
        } else {
          if (!guaranteed(s)) {
            if (!leaf.optional) {
              optional_into_required(s, cv.from(i).location());
              return;
            }
            guards.push_back(s.var + " != nullptr");
          }
          args.push_back("*" + s.var);
        }
      }
      summary += ")";
      if (tt.kind() != ret->kind) {
        diags_.error(at, "Can't map the result of conversion '" + cv.function() + "' (" + conv_cpp(*ret) + ") to " +
                             target_desc(leaf) + ".");
        return;
      }
      if (ret->optional && !leaf.optional) {
        diags_.error(at, "conversion '" + cv.function() + "' may return no value (" + conv_cpp(*ret) + ") but " +
                             target_desc(leaf) + " is required");
        return;
      }
      const std::string call = "refbridge::mapping::" + cv.function() + "(" + join(args, ", ") + ")";
      const std::string pad = guards.empty() ? "" : "  ";
      if (!guards.empty()) body.push_back("if (" + join(guards, " && ") + ") {");
      if (!decl->rejects().empty()) {
        // A fallible conversion: its rejection (rule decl->rejects()) is the transform's.
        summary += ", may reject (rule " + decl->rejects() + ")";
        body.push_back(pad + "REFBRIDGE_TRY(" + conv_cpp(*ret) + " value, " + call + ");");
        body.push_back(pad + (ret->optional ? "if (value) " + L + " = std::move(*value);" : L + " = std::move(value);"));
      } else if (ret->optional) {
        body.push_back(pad + "if (" + conv_cpp(*ret) + " value = " + call + ") " + L + " = std::move(*value);");
      } else {
        body.push_back(pad + L + " = " + call + ";");
      }
      if (!guards.empty()) body.push_back("}");
      break;
    }
    case mapping::Rule::kJoin: {
      const auto& j = r.join();
      std::vector<std::string> vars, texts;
      std::vector<std::string> prelude;  // lookup parts, computed before the join
      for (int i = 0; i < j.parts_size(); ++i) {
        const auto& part = j.parts(i);
        const SourcePath& s = *srcs[static_cast<std::size_t>(i)];
        const ir::SourceLocation& where = part.has_lookup() ? part.lookup().from().location() : part.path().location();
        if (s.iterates || (!part.has_lookup() && s.type.kind() != ir::TypeRef::STRING)) {
          diags_.error(where, "join parts are single strings; " + source_desc(s) +
                                  (s.iterates ? " goes through a list" : " is not a string"));
          return;
        }
        if (!part.has_lookup()) {
          vars.push_back(s.var);
          texts.push_back(s.text);
          continue;
        }
        auto plan = check_lookup(part.lookup(), s, leaf, at, /*join_part=*/true);
        if (!plan) return;
        const std::string looked = "looked_up_" + std::to_string(i), ptr = "part_" + std::to_string(i);
        const std::string key_text =
            s.type.kind() == ir::TypeRef::ENUM ? "std::string(to_string(*" + s.var + "))" : "*" + s.var;
        prelude.push_back("std::optional<std::string> " + looked + ";");
        const std::string pad = guaranteed(s) ? "" : "  ";
        if (!guaranteed(s)) prelude.push_back("if (" + s.var + " != nullptr) {");
        for (auto& l : lookup_lines(*plan, key_text, /*in_loop=*/false,
                                    [&](const std::string& v) { return looked + " = " + v + ";"; }, pad)) {
          prelude.push_back(std::move(l));
        }
        if (!guaranteed(s)) prelude.push_back("}");
        prelude.push_back("const std::string* const " + ptr + " = " + looked + " ? &*" + looked + " : nullptr;");
        vars.push_back(ptr);
        texts.push_back(plan->summary);
      }
      summary = "join [" + join(texts, ", ") + "] with " + cpp_string_literal(j.separator()) +
                (j.skip_empty() ? ", empty parts skipped" : "");
      if (tt.kind() != ir::TypeRef::STRING) {
        diags_.error(at, "Can't map a join (std::string) to " + target_desc(leaf) + ".");
        return;
      }
      for (auto& l : prelude) body.push_back(std::move(l));
      body.push_back("std::string joined;");
      body.push_back("bool first = true;");
      body.push_back("for (const std::string* part : {" + join(vars, ", ") + "}) {");
      if (j.skip_empty()) body.push_back("  if (part == nullptr || part->empty()) continue;");
      body.push_back("  if (!first) joined += " + cpp_string_literal(j.separator()) + ";");
      body.push_back("  first = false;");
      body.push_back(j.skip_empty() ? "  joined += *part;" : "  if (part != nullptr) joined += *part;");
      body.push_back("}");
      body.push_back(leaf.optional && j.skip_empty() ? "if (!joined.empty()) " + L + " = std::move(joined);"
                                                     : L + " = std::move(joined);");
      break;
    }
    default:
      return;
  }

  if (r.when() == mapping::CREATE && !leaf.optional) {
    diags_.error(at, "'when: create' would leave required " + target_desc(leaf) + " unset on update");
    return;
  }
  std::string condition;  // C++ test of `when: {target, equals}`, "" = unconditional
  if (r.has_condition()) {
    auto cond = condition_code(r.condition());
    if (!cond) return;
    if (!leaf.optional) {
      diags_.error(r.condition().location(), "'when: {target: " + r.condition().target().text() + ", equals: " +
                                                 r.condition().equals() + "}' would leave required " +
                                                 target_desc(leaf) + " unset when the condition fails");
      return;
    }
    condition = *cond;
  }
  assigned_.emplace(leaf.path, leaf);
  const bool text_target = takes_text(tt) || (tt.kind() == ir::TypeRef::ARRAY && tt.element().kind() == ir::TypeRef::STRING);
  forms_.write(r, summary, text_target);
  std::vector<std::string> block;
  block.push_back("// " + leaf.path + " <- " + summary + (r.when() == mapping::CREATE ? " [on create only]" : "") +
                  (r.has_condition() ? " [only when " + r.condition().target().text() + " == " +
                                           r.condition().equals() + "]"
                                     : "") +
                  "  (" + m_.spec_file() + ":" + std::to_string(at.line()) + ")");
  if (!r.description().empty()) block.push_back("// " + r.description());
  if (r.when() == mapping::CREATE) {
    block.push_back("if (ctx.mode == refbridge::WriteMode::kCreate) {");
  } else if (!condition.empty()) {
    block.push_back("if (" + condition + ") {");
  } else {
    block.push_back("{");
  }
  for (auto& l : body) block.push_back("  " + l);
  block.push_back("}");
  rule_code_.push_back(indent_block(block, "  "));
}

void Compiler::check_profile_declarations() {
  std::vector<std::string> tables;
  for (const auto& [k, v] : profile_.lookups) tables.push_back(k);
  for (const auto& l : m_.lookups()) {
    auto it = profile_.lookups.find(l.table());
    if (it == profile_.lookups.end()) {
      diags_.error(l.location(), "lookup table '" + l.table() + "' does not exist in profile '" + profile_.name + "' (" +
                                     profile_.file + ")." + did_you_mean(l.table(), tables));
      continue;
    }
    if (!l.default_allowed() && it->second.default_value) {
      diags_.error(l.location(), "lookup '" + l.table() + "' is declared with 'default: false' but profile '" +
                                     profile_.name + "' gives it a default (" + profile_.file + ":" +
                                     std::to_string(it->second.default_value->location.line()) + ")");
    }
    if (!l.key_source().empty()) {
      mapping::Path p;
      p.set_text(l.key_source());
      *p.mutable_location() = l.location();
      source_path(p);
    }
  }
  std::vector<std::string> consts;
  for (const auto& [k, v] : profile_.constants) consts.push_back(k);
  for (const auto& c : m_.constants()) {
    if (!profile_.constants.count(c.name())) {
      diags_.error(c.location(), "constant '" + c.name() + "' does not exist in profile '" + profile_.name + "' (" +
                                     profile_.file + ")." + did_you_mean(c.name(), consts));
    }
  }
  for (const auto& c : m_.conversions()) {
    for (const std::string& t : [&] {
           std::vector<std::string> all(c.params().begin(), c.params().end());
           all.push_back(c.returns());
           return all;
         }()) {
      if (!parse_conv_type(t)) {
        diags_.error(c.location(), "conversion '" + c.name() + "': unknown type '" + t +
                                       "' (types: string bool int32 int64 number date date-time, 'T?' = optional)." +
                                       did_you_mean(t, {"string", "bool", "int32", "int64", "number", "date",
                                                        "date-time"}));
      }
    }
  }
}

std::vector<std::string> Compiler::source_enum(const SourcePath& sp) const {
  if (sp.type.kind() == ir::TypeRef::ENUM) {
    for (const auto& mod : sp.api->models()) {
      if (mod.name() == sp.type.model()) return {mod.enum_values().begin(), mod.enum_values().end()};
    }
    return {};
  }
  if (sp.leaf != nullptr && sp.type.kind() == ir::TypeRef::STRING && sp.leaf->type().kind() == ir::TypeRef::STRING) {
    return {sp.leaf->enum_values().begin(), sp.leaf->enum_values().end()};  // inline `enum` on a string member
  }
  return {};
}

// `strict: {unused_sources: error}`: every member of every source model is read by a rule, require
// or gate (through any path that starts with it), or listed under `ignore_sources:` with a reason.
// Nested models (an EntityReference's Id, LogicalName) are not walked: reading one member of a
// nested model counts as reading the top-level member. `ignore_sources` entries are checked always:
// each names a source or a top-level member of one, and none may name a member that is read.
void Compiler::check_unused_sources() {
  std::map<std::string, const mapping::IgnoredSource*> ignored;  // "source" or "source.member" (no "[]")
  for (const auto& ig : m_.ignore_sources()) {
    std::string text = ig.path().text();
    const auto dot = text.find('.');
    std::string src = text.substr(0, dot);
    const bool bracket = src.size() > 2 && src.compare(src.size() - 2, 2, "[]") == 0;
    if (bracket) src.resize(src.size() - 2);
    const mapping::Source* source = nullptr;
    std::vector<std::string> names;
    for (const auto& s : m_.sources()) {
      names.push_back(s.name());
      if (s.name() == src) source = &s;
    }
    if (source == nullptr) {
      diags_.error(ig.path().location(), "ignore_sources: no source named '" + src + "' (sources: " + join(names, ", ") +
                                             ")." + did_you_mean(src, names));
      continue;
    }
    std::string key = src;
    if (dot != std::string::npos) {
      const std::string member = text.substr(dot + 1);
      if (source->list() != bracket) {
        diags_.error(ig.path().location(), source->list() ? "source '" + src + "' is a list: write '" + src + "[]." +
                                                                member + "'"
                                                          : "source '" + src + "' is not a list: remove the brackets");
        continue;
      }
      const ir::Model* mod = nullptr;
      if (auto ai = apis_.find(source->api()); ai != apis_.end()) {
        for (const auto& md : ai->second.models()) {
          if (md.name() == source->model()) mod = &md;
        }
      }
      if (mod == nullptr) continue;  // reported with the source
      if (find_field(*mod, member) == nullptr) {
        diags_.error(ig.path().location(), "ignore_sources: no property named '" + member + "' exists in source model " +
                                               source->api() + "." + mod->name() + " ('" + text +
                                               "' names a top-level member)." + did_you_mean(member, field_names(*mod)));
        continue;
      }
      key += "." + member;
    }
    ignored[key] = &ig;
  }
  // Members read: the first step of every used path.
  std::set<std::string> read;
  for (const SourcePath* sp : path_order_) {
    if (sp->used && !sp->steps.empty()) read.insert(sp->source->name() + "." + sp->steps.front().field->json_name());
  }
  for (const auto& [key, ig] : ignored) {
    if (key.find('.') != std::string::npos && read.count(key)) {
      diags_.error(ig->path().location(), "ignore_sources lists '" + ig->path().text() +
                                              "', which a rule, require or gate reads; remove it from ignore_sources.");
    }
  }
  // Only on an otherwise clean spec: a path that failed to resolve would show up as unread.
  if (m_.strict().unused_sources() != mapping::ERROR || !diags_.empty()) return;
  for (const auto& s : m_.sources()) {
    if (ignored.count(s.name())) continue;
    auto ai = apis_.find(s.api());
    if (ai == apis_.end()) continue;
    for (const auto& mod : ai->second.models()) {
      if (mod.name() != s.model()) continue;
      for (const auto& f : mod.fields()) {
        const std::string key = s.name() + "." + f.json_name();
        if (read.count(key) || ignored.count(key)) continue;
        const std::string shown = s.name() + (s.list() ? "[]." : ".") + f.json_name();
        diags_.error(s.location(), "Unused source property '" + shown + "' (" + s.api() + "." + mod.name() + "." +
                                       f.json_name() + ") is read by no rule, require or gate: map it, or list it "
                                       "under 'ignore_sources:' with a reason (strict: unused_sources).");
      }
    }
  }
}

void Compiler::check_coverage(const TargetNode& node, const ir::Api& a) {
  for (const auto& f : node.model->fields()) {
    if (is_optional_member(f) || node.assigned.count(f.json_name()) || node.children.count(f.json_name())) continue;
    const std::string path = (node.path.empty() ? "" : node.path + ".") + f.json_name();
    diags_.error(node.path.empty() ? m_.target().location() : node.first_use,
                 "Unmapped target property '" + path + "' (" + a.name() + "." + node.model->name() + "." +
                     f.json_name() + " is required).");
  }
  for (const auto& [name, by_index] : node.children) {
    int expect = by_index.begin()->first == -1 ? -1 : 0;
    for (const auto& [index, child] : by_index) {
      if (index != expect) {
        diags_.error(child->first_use, "target list '" + name + "' is indexed from 0 without gaps; found [" +
                                           std::to_string(index) + "] where [" + std::to_string(expect) +
                                           "] was expected");
      }
      expect = index + 1;
      check_coverage(*child, a);
    }
  }
}

void Compiler::emit_source_vars(Printer& p) const {
  std::string out;
  for (const SourcePath* sp : path_order_) {
    if (!sp->used) continue;
    const std::string t = cpp_type_of(sp->type, *sp->api);
    const std::string base = "in." + names::legalize(sp->source->name());
    out += "  // " + sp->text + (sp->iterates ? " (every present value, in order)" : sp->may_be_absent ? " (may be absent)" : "") + "\n";
    // Split the steps at the iteration point.
    std::size_t split = 0;  // steps before the iterated one (exclusive end of the outer part)
    bool iter_step = false;
    for (std::size_t i = 0; i < sp->steps.size(); ++i) {
      if (sp->steps[i].iterate) {
        split = i + 1;
        iter_step = true;
      }
    }
    auto chain = [](std::string expr, const std::vector<Step>& steps, std::size_t from, std::size_t to,
                    std::vector<std::string>& conds, bool& last_optional) {
      bool prev_optional = false;
      for (std::size_t i = from; i < to; ++i) {
        expr += (prev_optional ? "->" : ".") + steps[i].field->cpp_name();
        if (steps[i].optional) conds.push_back(expr);
        prev_optional = steps[i].optional;
      }
      last_optional = prev_optional;
      return expr;
    };
    if (!sp->iterates) {
      std::vector<std::string> conds;
      bool last_opt = false;
      const std::string expr = chain(base, sp->steps, 0, sp->steps.size(), conds, last_opt);
      const std::string ref = (last_opt ? "&*" : "&") + expr;
      if (conds.empty()) {
        out += "  const " + t + "* const " + sp->var + " = " + ref + ";\n";
      } else {
        out += "  const " + t + "* const " + sp->var + " =\n      (" + join(conds, " && ") + ") ? " + ref + " : nullptr;\n";
      }
      continue;
    }
    out += "  std::vector<const " + t + "*> " + sp->var + ";\n";
    std::string container;
    std::vector<std::string> outer;
    if (iter_step) {
      bool last_opt = false;
      const std::string expr = chain(base, sp->steps, 0, split, outer, last_opt);
      container = last_opt ? "*" + expr : expr;
    } else {
      container = base;
    }
    std::vector<std::string> inner;
    bool last_opt = false;
    const std::size_t first_inner = iter_step ? split : 0;
    const std::string expr = chain("item", sp->steps, first_inner, sp->steps.size(), inner, last_opt);
    const std::string ref = first_inner == sp->steps.size() ? "&item" : (last_opt ? "&*" : "&") + expr;
    std::string pad = "  ";
    if (!outer.empty()) {
      out += "  if (" + join(outer, " && ") + ") {\n";
      pad += "  ";
    }
    out += pad + "for (const auto& item : " + container + ") {\n";
    if (inner.empty()) {
      out += pad + "  " + sp->var + ".push_back(" + ref + ");\n";
    } else {
      out += pad + "  if (" + join(inner, " && ") + ") " + sp->var + ".push_back(" + ref + ");\n";
    }
    out += pad + "}\n";
    if (!outer.empty()) out += "  }\n";
  }
  p.print(escape_dollars(out));
}

void Compiler::declare_nodes(Printer& p, const TargetNode& node) const {
  for (const ir::Field* f : node.child_fields) {
    for (const auto& [index, child] : node.children.at(f->json_name())) {
      p.print("  " + short_namespace(target_api_->cpp_namespace()) + "::" + child->model->name() + " " + child->var +
              "{};  // " + child->path + "\n");
      declare_nodes(p, *child);
    }
  }
}

void Compiler::emit_assembly(Printer& p, const TargetNode& node) const {
  for (const ir::Field* f : node.child_fields) {
    const auto& by_index = node.children.at(f->json_name());
    for (const auto& [index, child] : by_index) emit_assembly(p, *child);
    const std::string lv = node.var + "." + f->cpp_name();
    if (by_index.begin()->first == -1) {
      p.print("  " + lv + " = std::move(" + by_index.begin()->second->var + ");\n");
      continue;
    }
    const std::string et = short_namespace(target_api_->cpp_namespace()) + "::" + by_index.begin()->second->model->name();
    p.print("  {\n    std::vector<" + et + "> items;\n    items.reserve(" + std::to_string(by_index.size()) + ");\n");
    for (const auto& [index, child] : by_index) p.print("    items.push_back(std::move(" + child->var + "));\n");
    p.print("    " + lv + " = std::move(items);\n  }\n");
  }
}

std::string comment(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line.empty() ? prefix.substr(0, prefix.find_last_not_of(' ') + 1) + "\n" : prefix + line + "\n";
  }
  return out;
}

bool Compiler::run(const std::string& out_rel_dir, std::vector<GeneratedFile>& files) {
  // Sources and target.
  for (const auto& s : m_.sources()) {
    if (const ir::Api* a = api(s.api(), s.location())) model(*a, s.model(), s.location());
  }
  if (m_.has_target()) {
    target_api_ = api(m_.target().api(), m_.target().location());
    if (target_api_ != nullptr) {
      if (const ir::Model* tm = model(*target_api_, m_.target().model(), m_.target().location())) {
        root_ = std::make_unique<TargetNode>();
        root_->model = tm;
        root_->var = "result";
      }
    }
  }
  if (m_.function().empty() || names::legalize(m_.function()) != m_.function()) {
    diags_.error(m_.location(), "function '" + m_.function() + "' is not a legal C++ identifier");
  }
  check_profile_declarations();
  forms_.check();
  for (const auto& req : m_.requirements()) {
    for (const auto& p : req.paths()) {
      SourcePath* sp = source_path(p);
      if (sp == nullptr) continue;
      if (sp->iterates) {
        diags_.error(p.location(), "require: '" + p.text() + "' goes through a list; only single values can be required");
        continue;
      }
      sp->used = true;
      forms_.read(sp->source->name(), sp->steps.front().field->json_name(), p.location(), "require");
      required_.insert(p.text());
    }
  }
  for (const auto& g : m_.gates()) {
    const mapping::Lookup* decl = declared_lookup(g.table(), g.location());
    SourcePath* sp = source_path(g.from());
    if (decl == nullptr || sp == nullptr) continue;
    sp->used = true;
    forms_.read(sp->source->name(), sp->steps.front().field->json_name(), g.from().location(), "gate " + g.rule());
    if (sp->iterates || sp->type.kind() != ir::TypeRef::STRING) {
      diags_.error(g.from().location(), "a gate checks one string; " + source_desc(*sp) + " is not one");
    } else if (!guaranteed(*sp)) {
      diags_.error(g.from().location(), "gate source '" + sp->text + "' may be absent: list it under 'require:'");
    }
  }
  for (const auto& r : m_.rules()) compile_rule(r);
  if (root_ && target_api_) check_coverage(*root_, *target_api_);
  check_unused_sources();
  if (!diags_.empty() || !root_) return false;

  // ---- emit ----
  const std::string fn = m_.function();
  const std::string input = names::to_pascal_case(fn) + "Input";
  const std::string target_t = short_namespace(target_api_->cpp_namespace()) + "::" + m_.target().model();
  const std::string banner = "// Generated by refbridge-codegen from " + m_.spec_file() + " — DO NOT EDIT.\n";
  const std::string dir_last = out_rel_dir.substr(out_rel_dir.find_last_of('/') + 1);
  std::set<std::string> api_includes;
  for (const auto& s : m_.sources()) api_includes.insert(include_root_ + s.api() + "/models.h");
  api_includes.insert(include_root_ + m_.target().api() + "/models.h");

  Printer h;
  h.print(escape_dollars(banner));
  h.print(escape_dollars(comment("Mapping '" + m_.name() + "' (profile checked at generation: " +
                                     (profiles_note_.empty() ? profile_.file : profiles_note_) + ").\n" +
                                     m_.description(),
                                 "// ")));
  h.print("#pragma once\n\n");
  for (const auto& inc : api_includes) h.print("#include \"" + inc + "\"\n");
  h.print("#include \"refbridge/error.h\"\n#include \"refbridge/mapping_runtime.h\"\n"
          "#include \"refbridge/primero_requirements.h\"\n#include \"refbridge/profile.h\"\n\n");
  h.print("#include <string>\n#include <string_view>\n#include <vector>\n\nnamespace refbridge::mappings {\n\n");
  h.print("/// The inputs of " + fn + "(): the spec's `sources:`, in declaration order.\n");
  h.print("struct " + input + " {\n");
  for (const auto& s : m_.sources()) {
    const ir::Api& a = apis_.at(s.api());
    std::string t = short_namespace(a.cpp_namespace()) + "::" + s.model();
    if (s.list()) t = "std::vector<" + t + ">";
    if (!s.description().empty()) h.print(escape_dollars(comment(s.description(), "  /// ")));
    h.print("  " + t + " " + names::legalize(s.name()) + ";\n");
  }
  h.print("};\n\n");
  std::string doc = "Builds a " + target_t + " from the inputs (" + m_.spec_file() + ").\n"
                    "Rejections (ErrorCode::kRejected, Error::rule set; messages name fields, never personal values):\n";
  for (const auto& req : m_.requirements()) {
    std::vector<std::string> shown;
    for (const auto& p : req.paths()) shown.push_back(paths_.at(p.text())->display);
    doc += "  - " + req.rule() + ": any of " + join(shown, ", ") + " absent or empty;\n";
  }
  for (const auto& g : m_.gates()) {
    doc += "  - " + g.rule() + ": " + paths_.at(g.from().text())->display + " is not a key of lookup " + g.table() + ";\n";
  }
  auto document_lookup = [&](const mapping::LookupRule& lk) {
    if (lk.on_missing() != mapping::REJECT) return;
    doc += "  - lookup-" + lk.table() + ": " + lk.from().text() + " has no entry in lookup " + lk.table() + ";\n";
  };
  for (const auto& r : m_.rules()) {
    if (r.has_lookup()) document_lookup(r.lookup());
    if (r.has_join()) {
      for (const auto& part : r.join().parts()) {
        if (part.has_lookup()) document_lookup(part.lookup());
      }
    }
  }
  for (const auto& cv : m_.conversions()) {
    if (!cv.rejects().empty()) doc += "  - " + cv.rejects() + ": conversion " + cv.name() + " refuses the values;\n";
  }
  doc += "Rules marked `when: create` apply only when ctx.mode == WriteMode::kCreate.\n"
         "ErrorCode::kConfig when the profile lacks a table, default or constant the mapping uses.";
  h.print(escape_dollars(comment(doc, "/// ")));
  h.print("refbridge::Result<" + target_t + "> " + fn + "(const " + input +
          "& in, const refbridge::Profile& profile,\n    const refbridge::MappingContext& ctx);\n\n");
  h.print("/// Checks that `profile` has every lookup table, default and constant " + fn +
          "() uses;\n/// kConfig listing all that are missing. Call it at start-up.\n");
  h.print("refbridge::Result<void> " + fn + "_check_profile(const refbridge::Profile& profile);\n\n");
  h.print("/// One line per lookup entry that `profile` marks unconfirmed (`unconfirmed:` of a table) in the\n"
          "/// tables " + fn + "() uses (refbridge::unconfirmed_entries); log them as warnings at start-up.\n");
  h.print("std::vector<std::string> " + fn + "_unconfirmed_entries(const refbridge::Profile& profile);\n\n");
  h.print(escape_dollars(forms_.declaration(fn)));
  h.print("}  // namespace refbridge::mappings\n");

  Printer c;
  c.print(escape_dollars(banner));
  c.print("#include \"" + include_root_ + dir_last + "/" + fn + ".h\"\n\n");
  c.print("#include <algorithm>\n#include <cstdint>\n#include <optional>\n#include <string>\n#include <string_view>\n"
          "#include <type_traits>\n#include <utility>\n#include <vector>\n\nnamespace refbridge::mappings {\n");
  if (m_.conversions_size() > 0) {
    c.print("\n// Hand-written conversions (sdk/src/mapping_runtime.cc) must have exactly the declared signatures.\n");
    for (const auto& cv : m_.conversions()) {
      std::vector<std::string> params = {"const refbridge::MappingContext&"};
      for (const auto& pt : cv.params()) params.push_back("const " + conv_cpp(*parse_conv_type(pt)) + "&");
      std::string ret = conv_cpp(*parse_conv_type(cv.returns()));
      if (!cv.rejects().empty()) ret = "refbridge::Result<" + ret + ">";
      const std::string sig = ret + " (*)(" + join(params, ", ") + ")";
      c.print(escape_dollars("static_assert(std::is_same_v<decltype(&refbridge::mapping::" + cv.name() + "),\n" +
                             "                             " + sig + ">,\n              " +
                             cpp_string_literal("conversion " + cv.name() + " must be declared as " + ret + " " +
                                                cv.name() + "(" + join(params, ", ") + ") (" + m_.spec_file() + ":" +
                                                std::to_string(cv.location().line()) + ")") +
                             ");\n"));
    }
  }
  // check_profile
  c.print("\nrefbridge::Result<void> " + fn + "_check_profile(const refbridge::Profile& profile) {\n");
  c.print("  std::vector<std::string> missing;\n");
  for (const auto& t : used_tables_) {
    c.print("  if (profile.lookups.count(" + cpp_string_literal(t) + ") == 0) {\n    missing.push_back(" +
            cpp_string_literal("lookup table '" + t + "'") + ");\n  }");
    if (default_tables_.count(t)) {
      c.print(" else if (!profile.lookups.at(" + cpp_string_literal(t) + ").default_value) {\n    missing.push_back(" +
              cpp_string_literal("default of lookup table '" + t + "'") + ");\n  }");
    }
    c.print("\n");
  }
  for (const auto& k : used_constants_) {
    c.print("  if (profile.constants.count(" + cpp_string_literal(k) + ") == 0) missing.push_back(" +
            cpp_string_literal("constant '" + k + "'") + ");\n");
  }
  c.print("  if (missing.empty()) return refbridge::ok();\n  std::string list;\n"
          "  for (const auto& item : missing) list += (list.empty() ? \"\" : \", \") + item;\n"
          "  return refbridge::make_error(refbridge::ErrorCode::kConfig,\n                              \"profile '\" + "
          "profile.name + \"' lacks what mapping " + m_.name() + " uses: \" + list);\n}\n");
  // unconfirmed entries of the tables used
  c.print("\nstd::vector<std::string> " + fn + "_unconfirmed_entries(const refbridge::Profile& profile) {\n");
  if (used_tables_.empty()) {
    c.print("  (void)profile;\n  return {};\n}\n");
  } else {
    std::vector<std::string> tables;
    for (const auto& t : used_tables_) tables.push_back(cpp_string_literal(t));
    c.print("  static constexpr std::string_view kTables[] = {" + join(tables, ", ") + "};\n"
            "  return refbridge::unconfirmed_entries(profile, kTables);\n}\n");
  }
  c.print(escape_dollars(forms_.definition(fn)));
  // transform
  c.print("\nrefbridge::Result<" + target_t + "> " + fn + "(const " + input +
          "& in, const refbridge::Profile& profile,\n    const refbridge::MappingContext& ctx) {\n");
  c.print("  (void)ctx;\n");
  if (!used_constants_.empty() || !used_tables_.empty()) c.print("  // Profile data.\n");
  for (const auto& k : used_constants_) {
    c.print("  REFBRIDGE_TRY(const std::string c_" + identifier_from(k) + ", profile.constant(" + cpp_string_literal(k) +
            "));\n");
  }
  for (const auto& t : used_tables_) {
    c.print("  REFBRIDGE_TRY(const refbridge::LookupTable* const lt_" + identifier_from(t) + ", profile.lookup(" +
            cpp_string_literal(t) + "));\n");
  }
  c.print("\n  // Source values (nullptr = absent).\n");
  emit_source_vars(c);
  for (const auto& req : m_.requirements()) {
    c.print("\n  // require: (" + m_.spec_file() + ":" + std::to_string(req.location().line()) + ")\n");
    c.print("  std::vector<std::string> missing;\n");
    for (const auto& p : req.paths()) {
      const SourcePath& sp = *paths_.at(p.text());
      std::vector<std::string> conds;
      if (sp.may_be_absent) conds.push_back(sp.var + " == nullptr");
      if (sp.type.kind() == ir::TypeRef::STRING) conds.push_back(sp.var + "->empty()");
      if (conds.empty()) continue;  // a required non-string member is always present
      c.print(escape_dollars("  if (" + join(conds, " || ") + ") missing.push_back(" + cpp_string_literal(sp.display) +
                             ");\n"));
    }
    c.print("  if (!missing.empty()) {\n    std::string list;\n"
            "    for (const auto& name : missing) list += (list.empty() ? \"\" : \", \") + name;\n"
            "    return refbridge::make_rejection(" + cpp_string_literal(req.rule()) +
            ", \"missing or empty required fields: \" + list);\n  }\n");
  }
  for (const auto& g : m_.gates()) {
    const SourcePath& sp = *paths_.at(g.from().text());
    c.print("\n  // gate: " + g.rule() + " (" + m_.spec_file() + ":" + std::to_string(g.location().line()) + ")\n");
    c.print(escape_dollars("  if (!lt_" + identifier_from(g.table()) + "->contains(*" + sp.var + ")) {\n" +
                           "    return refbridge::make_rejection(" + cpp_string_literal(g.rule()) + ", " +
                           cpp_string_literal(g.what() + " '") + " + *" + sp.var + " + " +
                           cpp_string_literal("' is not " + g.accepted_as() + " (see lookup " + g.table() +
                                              " in profile ") +
                           " + profile.name + \")\");\n  }\n"));
  }
  c.print("\n  // Target.\n  " + target_t + " result{};\n");
  declare_nodes(c, *root_);
  for (const auto& block : rule_code_) c.print("\n" + escape_dollars(block));
  c.print("\n");
  emit_assembly(c, *root_);
  c.print("  return result;\n}\n\n}  // namespace refbridge::mappings\n");

  files.push_back(GeneratedFile{out_rel_dir + "/" + fn + ".cc", c.str()});
  files.push_back(GeneratedFile{out_rel_dir + "/" + fn + ".h", h.str()});
  return true;
}

}  // namespace

refbridge::Result<std::vector<GeneratedFile>> generate_mapping(const std::filesystem::path& root,
                                                               const std::string& spec_rel_path,
                                                               const std::string& profile_rel_path,
                                                               const std::string& out_rel_dir,
                                                               const std::map<std::string, ir::Api>& apis,
                                                               const std::string& include_root) {
  return generate_mapping(root, spec_rel_path, std::vector<std::string>{profile_rel_path}, out_rel_dir, apis,
                          include_root);
}

refbridge::Result<std::vector<GeneratedFile>> generate_mapping(const std::filesystem::path& root,
                                                               const std::string& spec_rel_path,
                                                               const std::vector<std::string>& profile_rel_paths,
                                                               const std::string& out_rel_dir,
                                                               const std::map<std::string, ir::Api>& apis,
                                                               const std::string& include_root) {
  if (profile_rel_paths.empty()) return make_error(ErrorCode::kConfig, spec_rel_path + ": no profile to check against");
  Diagnostics diags;
  REFBRIDGE_TRY(const mapping::Mapping spec, mapping_detail::parse_mapping_spec(root, spec_rel_path, diags));
  // The same spec is checked against every profile; the emitted code does not depend on the
  // profile (tables and constants are read at run time), so the first profile's output is kept.
  std::vector<GeneratedFile> files;
  for (const auto& profile_rel_path : profile_rel_paths) {
    REFBRIDGE_TRY(const SpecProfile profile, mapping_detail::load_spec_profile(root, profile_rel_path));
    std::vector<GeneratedFile> out;
    Compiler compiler(spec, profile, apis, diags);
    compiler.set_profiles_note(join(profile_rel_paths, ", "));
    compiler.set_include_root(include_root);
    if (compiler.run(out_rel_dir, out) && files.empty()) files = std::move(out);
  }
  if (!diags.empty() || files.empty()) return make_error(ErrorCode::kInvalidInput, diags.render());
  return files;
}

}  // namespace refbridge::codegen
