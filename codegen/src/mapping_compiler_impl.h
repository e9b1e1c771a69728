#pragma once
// Internal to the mapping compiler (mapping_compiler.h): the helpers and the Compiler shared by
// its stages, one file each:
//   mapping_bind.cc          bind the spec to the IR: source paths, target leaves, declared
//                            lookups and constants, enum values and literals
//   mapping_lookup_rules.cc  check and plan a lookup rule; `when:` conditions
//   mapping_rules.cc         compile one rule of any kind into its code block
//   mapping_checks.cc        whole-spec checks: profile declarations, unused sources, coverage
//   mapping_emit.cc          emit the transform (.h/.cc) from what the stages collected
//   mapping_support.cc       small helpers (types, paths, C++ spelling through names.h)
//   mapping_compiler.cc      generate_mapping(): parse, compile against every profile
#include "generated_file.h"
#include "ir.pb.h"
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

namespace refbridge::codegen::mapping_detail {

// ---------------------------------------------------------------------------------------------
// Types

/// True when the member is not required (std::optional or Nullable in the generated model).
bool is_optional_member(const ir::Field& f);

/// The last component of a C++ namespace ("refbridge::primero" -> "primero").
std::string short_namespace(const std::string& ns);

/// The C++ type of `t`, qualified by the API's short namespace (cpp_type of schema_loader.h).
std::string cpp_type_of(const ir::TypeRef& t, const ir::Api& api);

/// True when `a` (of API `aa`) and `b` (of `ba`) spell the same C++ type.
bool same_type(const ir::TypeRef& a, const ir::Api& aa, const ir::TypeRef& b, const ir::Api& ba);

/// Conversion parameter / return type names of the spec.
struct ConvType {
  ir::TypeRef::Kind kind = ir::TypeRef::KIND_UNSPECIFIED;
  bool optional = false;
  std::string cpp;  // base C++ type
};

/// A conversion's declared type ("string", "date?", ...); std::nullopt when the spec names an unknown one.
std::optional<ConvType> parse_conv_type(std::string s);

/// Text values (lookup results, constants, literals) go into string members as they are and into
/// enum members (refbridge::OpenEnum) through from_text; the profile check has already verified
/// that they are listed values of the enum.
bool takes_text(const ir::TypeRef& t);

std::string text_into(const ir::TypeRef& t, const ir::Api& api, const std::string& expr);

/// The C++ spelling of a conversion type (std::optional<T> when optional).
std::string conv_cpp(const ConvType& t);

/// `s` as a C++ string literal, quotes included (names::escape_string).
std::string cpp_string_literal(std::string_view s);

/// `text` reduced to [A-Za-z0-9_] (runs of other characters become one '_'), for generated local names.
std::string identifier_from(std::string_view text);

/// `parts` joined with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// `s` with every '$' doubled, for text printed through Printer ($var$ syntax).
std::string escape_dollars(const std::string& s);

// ---------------------------------------------------------------------------------------------
// Paths

struct Segment {
  std::string name;
  bool iterate = false;  // "name[]"
  int index = -1;        // "name[3]"
};

/// "a.b[].c[0]" -> segments; std::nullopt for an ill-formed path.
std::optional<std::vector<Segment>> split_path(const std::string& text);

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
  /// The Primero requirements as data (after run()).
  [[nodiscard]] RequirementPlan requirement_plan() const { return forms_.plan(); }

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
  /// One rule being compiled (compile_rule): its resolved sources and target leaf, and what its
  /// kind's generator (mapping_rule_kinds.cc) produces: the statements and the one-line summary.
  struct RuleWork {
    const mapping::Rule& r;
    const ir::SourceLocation& at;
    const std::vector<SourcePath*>& srcs;
    const TargetLeaf& leaf;
    const std::string& L;   ///< leaf.lvalue: the C++ expression assigned
    const ir::TypeRef& tt;  ///< leaf.field->type()
    std::vector<std::string> body;
    std::string summary;
  };
  /// The `copy` rule kind: false after reporting why it cannot be compiled.
  bool rule_copy(RuleWork& w);
  /// The `constant` rule kind: false after reporting why it cannot be compiled.
  bool rule_constant(RuleWork& w);
  /// The `literal` rule kind: false after reporting why it cannot be compiled.
  bool rule_literal(RuleWork& w);
  /// The `lookup` rule kind: false after reporting why it cannot be compiled.
  bool rule_lookup(RuleWork& w);
  /// The `convert` rule kind: false after reporting why it cannot be compiled.
  bool rule_convert(RuleWork& w);
  /// The `join` rule kind: false after reporting why it cannot be compiled.
  bool rule_join(RuleWork& w);
  /// Reports an optional source mapped to the required target `leaf`.
  void optional_into_required(const TargetLeaf& leaf, const SourcePath& sp, const ir::SourceLocation& where);
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

/// The member of `mod` named `json_name` in JSON, or nullptr.
const ir::Field* find_field(const ir::Model& mod, const std::string& json_name);

/// Every member's JSON name (for "did you mean").
std::vector<std::string> field_names(const ir::Model& mod);

/// `lines` each prefixed with `pad`, one per line.
std::string indent_block(const std::vector<std::string>& lines, const std::string& pad);

/// The spec's spelling of an on_missing value ("omit", "default", "reject", "passthrough").
std::string on_missing_name(mapping::OnMissing o);

// Statements looking `key` (a std::string expression) up: `assign(v)` is the statement storing the
// found text expression v. A miss: reject and default return from the transform (rule
// lookup-<table> / kConfig), omit stores nothing (`continue` inside a loop), passthrough stores the
// key itself (the table default is not used).
std::vector<std::string> lookup_lines(const LookupPlan& p, const std::string& key, bool in_loop,
                                      const std::function<std::string(const std::string&)>& assign,
                                      const std::string& pad);

/// `text` as comment lines, each starting with `prefix`.
std::string comment(const std::string& text, const std::string& prefix);

}  // namespace refbridge::codegen::mapping_detail
