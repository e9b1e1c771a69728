// See mapping_spec.h.
#include "mapping_spec.h"

#include "yaml_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace refbridge::codegen::mapping_detail {
namespace {

class SpecReader {
 public:
  SpecReader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  ir::SourceLocation loc(const YAML::Node& n) const {
    ir::SourceLocation l;
    l.set_file(file_);
    l.set_line(n.Mark().line + 1);
    l.set_column(n.Mark().column + 1);
    return l;
  }

  void error(const YAML::Node& n, std::string msg) { diags_.error(loc(n), std::move(msg)); }

  /// Reports keys of map `n` not in `allowed` (with a suggestion); returns false when `n` is not a
  /// map or has unknown keys (the caller then skips it, avoiding follow-on diagnostics).
  bool check_keys(const YAML::Node& n, const std::string& what, const std::vector<std::string>& allowed) {
    if (!n.IsMap()) {
      error(n, what + " must be a mapping");
      return false;
    }
    bool known = true;
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        known = false;
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        error(kv.first, "unknown key '" + k + "' in " + what + " (expected one of: " + list + ")." +
                            did_you_mean(k, allowed));
      }
    }
    return known;
  }

  std::string str(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      error(n, what + " must be a string");
      return {};
    }
    return n.Scalar();
  }

  bool boolean(const YAML::Node& n, const std::string& what) {
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) return n.Scalar() == "true";
    error(n, what + " must be true or false");
    return false;
  }

  mapping::Path path(const YAML::Node& n, const std::string& what) {
    mapping::Path p;
    p.set_text(str(n, what));
    *p.mutable_location() = loc(n);
    if (n.IsScalar() && p.text().empty()) error(n, what + " is empty");
    return p;
  }

  void read_paths(const YAML::Node& n, const std::string& what,
                  google::protobuf::RepeatedPtrField<mapping::Path>* out) {
    if (!n.IsSequence()) {
      error(n, what + " must be a list of paths");
      return;
    }
    for (const auto& item : n) *out->Add() = path(item, what);
  }

  /// `lookup: {table, from, on_missing?, distinct?, join?}` (a rule kind, or a join part).
  void read_lookup(const YAML::Node& lk, const std::string& what, mapping::LookupRule& lr) {
    if (!check_keys(lk, what + " lookup", {"table", "from", "on_missing", "distinct", "join"})) return;
    if (!lk["table"] || !lk["from"]) {
      error(lk, what + " lookup needs table and from (and on_missing unless the lookup is total)");
      return;
    }
    lr.set_table(str(lk["table"], what + " lookup table"));
    *lr.mutable_from() = path(lk["from"], what + " lookup from");
    // No on_missing: the compiler must prove the lookup total (enum source, an entry per value).
    const std::string om = lk["on_missing"] ? str(lk["on_missing"], what + " on_missing") : "";
    const std::vector<std::string> kinds = {"omit", "default", "reject", "passthrough"};
    if (om == "omit") lr.set_on_missing(mapping::OMIT);
    else if (om == "default") lr.set_on_missing(mapping::DEFAULT);
    else if (om == "reject") lr.set_on_missing(mapping::REJECT);
    else if (om == "passthrough") lr.set_on_missing(mapping::PASSTHROUGH);
    else if (lk["on_missing"]) error(lk["on_missing"], what + ": on_missing must be omit, default, reject or passthrough, not '" +
                                                           om + "'." + did_you_mean(om, kinds));
    if (lk["distinct"]) lr.set_distinct(boolean(lk["distinct"], what + " distinct"));
    if (lk["join"]) {
      lr.set_join(str(lk["join"], what + " lookup join"));
      lr.set_has_join(true);
    }
  }

  /// join `from:` items: a source path, or `{lookup: {...}}` (the looked-up text is the part).
  void read_join_parts(const YAML::Node& n, const std::string& what, mapping::JoinRule& jr) {
    if (!n.IsSequence()) {
      error(n, what + " must be a list of paths or {lookup: ...} items");
      return;
    }
    for (const auto& item : n) {
      auto* part = jr.add_parts();
      if (item.IsMap()) {
        if (check_keys(item, what + " item", {"lookup"}) && item["lookup"]) read_lookup(item["lookup"], what, *part->mutable_lookup());
      } else {
        *part->mutable_path() = path(item, what);
      }
    }
  }

  void read_rule(const YAML::Node& key, const YAML::Node& v, mapping::Rule& r) {
    r.mutable_target()->set_text(key.Scalar());
    *r.mutable_target()->mutable_location() = loc(key);
    *r.mutable_location() = loc(key);
    const std::string what = "rule '" + key.Scalar() + "'";
    if (!check_keys(v, what, {"from", "const", "literal", "lookup", "convert", "join", "when", "omit_empty", "default",
                              "lossy", "description"})) {
      return;
    }
    int kinds = 0;
    for (const char* k : {"from", "const", "literal", "lookup", "convert", "join"}) kinds += v[k] ? 1 : 0;
    if (kinds != 1) {
      error(key, what + " needs exactly one of from, const, literal, lookup, convert, join (found " +
                     std::to_string(kinds) + ")");
      return;
    }
    if (v["description"]) r.set_description(str(v["description"], what + " description"));
    if (const auto w = v["when"]; w && w.IsMap()) {
      // when: {target: <target path set by an earlier rule>, equals: <text>}
      if (check_keys(w, what + " when", {"target", "equals"})) {
        if (!w["target"] || !w["equals"]) {
          error(w, what + ": when needs target and equals ({target: <target path>, equals: <value>})");
        } else {
          auto* cond = r.mutable_condition();
          *cond->mutable_target() = path(w["target"], what + " when target");
          cond->set_equals(str(w["equals"], what + " when equals"));
          *cond->mutable_location() = loc(w);
        }
      }
    } else if (w) {
      const std::string s = str(w, what + " when");
      if (s == "create") {
        r.set_when(mapping::CREATE);
      } else if (s != "always") {
        error(w, what + ": when must be 'create', 'always' or {target, equals}, not '" + s + "'." +
                     did_you_mean(s, {"create", "always"}));
      }
    }
    if ((v["omit_empty"] || v["default"] || v["lossy"]) && !v["from"]) {
      error(v["omit_empty"] ? v["omit_empty"] : v["default"] ? v["default"] : v["lossy"],
            what + ": omit_empty, default and lossy apply to 'from' rules only");
    }
    if (const auto f = v["from"]) {
      auto* c = r.mutable_copy();
      *c->mutable_from() = path(f, what + " from");
      if (v["omit_empty"]) c->set_omit_empty(boolean(v["omit_empty"], what + " omit_empty"));
      if (const auto lo = v["lossy"]) {
        const std::string kind = str(lo, what + " lossy");
        if (kind == "narrowing") {
          c->set_lossy_narrowing(true);
          *c->mutable_lossy_location() = loc(lo);
        } else {
          error(lo, what + ": lossy must be 'narrowing', not '" + kind + "'." + did_you_mean(kind, {"narrowing"}));
        }
      }
      if (const auto d = v["default"]) {
        if (check_keys(d, what + " default", {"const", "literal"})) {
          if (d["const"] && d["literal"]) error(d, what + " default: give const or literal, not both");
          if (d["const"]) c->set_default_constant(str(d["const"], what + " default const"));
          if (d["literal"]) {
            c->set_default_literal(str(d["literal"], what + " default literal"));
            c->set_has_default_literal(true);
          }
          if (!d["const"] && !d["literal"]) error(d, what + " default: give const or literal");
        }
      }
    } else if (const auto k = v["const"]) {
      r.mutable_constant()->set_name(str(k, what + " const"));
    } else if (const auto l = v["literal"]) {
      r.mutable_literal()->set_value(str(l, what + " literal"));
    } else if (const auto lk = v["lookup"]) {
      read_lookup(lk, what, *r.mutable_lookup());
    } else if (const auto cv = v["convert"]) {
      auto* cr = r.mutable_convert();
      if (check_keys(cv, what + " convert", {"function", "from"})) {
        if (!cv["function"] || !cv["from"]) {
          error(cv, what + " convert needs function and from");
        } else {
          cr->set_function(str(cv["function"], what + " convert function"));
          read_paths(cv["from"], what + " convert from", cr->mutable_from());
        }
      }
    } else if (const auto j = v["join"]) {
      auto* jr = r.mutable_join();
      if (check_keys(j, what + " join", {"from", "separator", "skip_empty"})) {
        if (!j["from"] || !j["separator"]) {
          error(j, what + " join needs from and separator");
        } else {
          read_join_parts(j["from"], what + " join from", *jr);
          jr->set_separator(str(j["separator"], what + " join separator"));
          if (j["skip_empty"]) jr->set_skip_empty(boolean(j["skip_empty"], what + " skip_empty"));
        }
      }
    }
  }

  void read_gate(const YAML::Node& g, mapping::Mapping& m) {
    if (!check_keys(g, "gate", {"rule", "lookup", "from", "what", "accepted_as"})) return;
    for (const char* k : {"rule", "lookup", "from", "what", "accepted_as"}) {
      if (!g[k]) error(g, std::string("gate needs '") + k + "'");
    }
    auto* gate = m.add_gates();
    *gate->mutable_location() = loc(g);
    if (g["rule"]) gate->set_rule(str(g["rule"], "gate rule"));
    if (g["lookup"]) gate->set_table(str(g["lookup"], "gate lookup"));
    if (g["from"]) *gate->mutable_from() = path(g["from"], "gate from");
    if (g["what"]) gate->set_what(str(g["what"], "gate what"));
    if (g["accepted_as"]) gate->set_accepted_as(str(g["accepted_as"], "gate accepted_as"));
  }

  /// `primero_forms: {record: {api, model, record_type}, sources?: {<source>: <path>}, reads?: {<path>: <reason>}}`.
  void read_primero_forms(const YAML::Node& n, mapping::PrimeroForms& pf) {
    *pf.mutable_location() = loc(n);
    if (!check_keys(n, "primero_forms", {"record", "sources", "reads"})) return;
    const auto rec = n["record"];
    if (!rec) {
      error(n, "primero_forms needs record: {api, model, record_type}");
    } else if (check_keys(rec, "primero_forms record", {"api", "model", "record_type"})) {
      for (const char* k : {"api", "model", "record_type"}) {
        if (!rec[k]) error(rec, std::string("primero_forms record needs '") + k + "'");
      }
      if (rec["api"]) pf.set_api(str(rec["api"], "primero_forms record api"));
      if (rec["model"]) pf.set_model(str(rec["model"], "primero_forms record model"));
      if (rec["record_type"]) pf.set_record_type(str(rec["record_type"], "primero_forms record_type"));
    }
    if (const auto s = n["sources"]; s && !s.IsMap()) {
      error(s, "primero_forms sources must be a mapping of <source>: <path in the record> (\"\" = the record)");
    } else if (s) {
      for (const auto& kv : s) {
        auto* fs = pf.add_sources();
        fs->set_source(kv.first.Scalar());
        *fs->mutable_location() = loc(kv.first);
        if (!kv.second.IsNull()) fs->set_path(str(kv.second, "primero_forms source '" + kv.first.Scalar() + "'"));
      }
    }
    if (const auto r = n["reads"]; r && !r.IsMap()) {
      error(r, "primero_forms reads must be a mapping of <field path>: <why the workflow reads it>");
    } else if (r) {
      for (const auto& kv : r) {
        auto* read = pf.add_reads();
        *read->mutable_path() = path(kv.first, "primero_forms reads path");
        if (kv.second.IsScalar() && !kv.second.Scalar().empty()) {
          read->set_reason(kv.second.Scalar());
        } else {
          error(kv.first, "primero_forms reads '" + kv.first.Scalar() + "' needs a reason (path: why the workflow reads it)");
        }
      }
    }
  }

  void read(const YAML::Node& doc, mapping::Mapping& m) {
    *m.mutable_location() = loc(doc);
    check_keys(doc, "a mapping spec",
               {"name", "function", "description", "sources", "target", "lookups", "constants", "conversions",
                "require", "gate", "rules", "strict", "ignore_sources", "primero_forms"});
    if (!doc.IsMap()) return;
    for (const char* k : {"name", "function", "sources", "target", "rules"}) {
      if (!doc[k]) error(doc, std::string("a mapping spec needs '") + k + "'");
    }
    if (doc["name"]) m.set_name(str(doc["name"], "name"));
    if (doc["function"]) m.set_function(str(doc["function"], "function"));
    if (doc["description"]) m.set_description(str(doc["description"], "description"));
    if (const auto s = doc["sources"]; s && !s.IsMap()) error(s, "sources must be a mapping of <name>: {api, model, list}");
    if (const auto s = doc["sources"]; s && s.IsMap()) {
      for (const auto& kv : s) {
        auto* src = m.add_sources();
        src->set_name(kv.first.Scalar());
        *src->mutable_location() = loc(kv.first);
        const std::string what = "source '" + kv.first.Scalar() + "'";
        if (!check_keys(kv.second, what, {"api", "model", "list", "description"})) continue;
        if (!kv.second["api"] || !kv.second["model"]) {
          error(kv.first, what + " needs api and model");
          continue;
        }
        src->set_api(str(kv.second["api"], what + " api"));
        src->set_model(str(kv.second["model"], what + " model"));
        if (kv.second["list"]) src->set_list(boolean(kv.second["list"], what + " list"));
        if (kv.second["description"]) src->set_description(str(kv.second["description"], what + " description"));
      }
    }
    if (const auto t = doc["target"]; t && check_keys(t, "target", {"api", "model"})) {
      *m.mutable_target()->mutable_location() = loc(t);
      if (!t["api"] || !t["model"]) {
        error(t, "target needs api and model");
      } else {
        m.mutable_target()->set_api(str(t["api"], "target api"));
        m.mutable_target()->set_model(str(t["model"], "target model"));
      }
    }
    if (const auto l = doc["lookups"]; l && l.IsMap()) {
      for (const auto& kv : l) {
        auto* lk = m.add_lookups();
        lk->set_table(kv.first.Scalar());
        *lk->mutable_location() = loc(kv.first);
        const std::string what = "lookup '" + kv.first.Scalar() + "'";
        if (!check_keys(kv.second, what, {"key", "default", "description"})) continue;
        if (kv.second["key"]) lk->set_key_source(str(kv.second["key"], what + " key"));
        if (kv.second["default"]) lk->set_default_allowed(boolean(kv.second["default"], what + " default"));
        if (kv.second["description"]) lk->set_description(str(kv.second["description"], what + " description"));
      }
    } else if (l) {
      error(l, "lookups must be a mapping");
    }
    if (const auto c = doc["constants"]; c && c.IsMap()) {
      for (const auto& kv : c) {
        auto* k = m.add_constants();
        k->set_name(kv.first.Scalar());
        *k->mutable_location() = loc(kv.first);
        if (!kv.second.IsNull()) k->set_description(str(kv.second, "constant '" + kv.first.Scalar() + "' description"));
      }
    } else if (c) {
      error(c, "constants must be a mapping of name: description");
    }
    if (const auto c = doc["conversions"]; c && c.IsMap()) {
      for (const auto& kv : c) {
        auto* cv = m.add_conversions();
        cv->set_name(kv.first.Scalar());
        *cv->mutable_location() = loc(kv.first);
        const std::string what = "conversion '" + kv.first.Scalar() + "'";
        if (!check_keys(kv.second, what, {"returns", "params", "rejects", "description"})) continue;
        if (!kv.second["returns"] || !kv.second["params"] || !kv.second["params"].IsSequence()) {
          error(kv.first, what + " needs returns and params (a list of types)");
          continue;
        }
        cv->set_returns(str(kv.second["returns"], what + " returns"));
        for (const auto& p : kv.second["params"]) cv->add_params(str(p, what + " param"));
        if (kv.second["description"]) cv->set_description(str(kv.second["description"], what + " description"));
        if (kv.second["rejects"]) {
          cv->set_rejects(str(kv.second["rejects"], what + " rejects"));
          if (cv->rejects().empty()) error(kv.second["rejects"], what + ": rejects names the rule id of its rejections");
        }
      }
    } else if (c) {
      error(c, "conversions must be a mapping");
    }
    if (const auto r = doc["require"]) {
      auto* req = m.add_requirements();
      req->set_rule("required-fields");
      *req->mutable_location() = loc(r);
      read_paths(r, "require", req->mutable_paths());
    }
    if (const auto g = doc["gate"]) {
      if (g.IsSequence()) {
        for (const auto& item : g) read_gate(item, m);
      } else {
        read_gate(g, m);
      }
    }
    if (const auto st = doc["strict"]) {
      auto* strict = m.mutable_strict();
      *strict->mutable_location() = loc(st);
      if (check_keys(st, "strict", {"unused_lookup_entries", "unused_sources"})) {
        auto level = [&](const char* key, void (mapping::Strictness::*set)(mapping::Level)) {
          const auto n = st[key];
          if (!n) return;
          const std::string v = str(n, std::string("strict ") + key);
          if (v == "error") (strict->*set)(mapping::ERROR);
          else if (v == "ignore") (strict->*set)(mapping::IGNORE);
          else error(n, std::string("strict ") + key + " must be 'error' or 'ignore', not '" + v + "'." +
                            did_you_mean(v, {"error", "ignore"}));
        };
        level("unused_lookup_entries", &mapping::Strictness::set_unused_lookup_entries);
        level("unused_sources", &mapping::Strictness::set_unused_sources);
      }
    }
    if (const auto ig = doc["ignore_sources"]; ig && !ig.IsMap()) {
      error(ig, "ignore_sources must be a mapping of <source path>: <reason>");
    } else if (ig) {
      for (const auto& kv : ig) {
        auto* item = m.add_ignore_sources();
        *item->mutable_path() = path(kv.first, "ignore_sources path");
        if (kv.second.IsScalar() && !kv.second.Scalar().empty()) {
          item->set_reason(kv.second.Scalar());
        } else {
          error(kv.first, "ignore_sources '" + kv.first.Scalar() + "' needs a reason (path: why it is not mapped)");
        }
      }
    }
    if (const auto pf = doc["primero_forms"]) read_primero_forms(pf, *m.mutable_primero_forms());
    if (const auto rules = doc["rules"]) {
      if (!rules.IsMap()) {
        error(rules, "rules must be a mapping of <target path>: <rule>");
        return;
      }
      std::set<std::string> seen;
      for (const auto& kv : rules) {
        if (!seen.insert(kv.first.Scalar()).second) {
          error(kv.first, "Target property '" + kv.first.Scalar() + "' must not be mapped more than once.");
          continue;
        }
        read_rule(kv.first, kv.second, *m.add_rules());
      }
    }
  }

 private:
  std::string file_;
  Diagnostics& diags_;
};

}  // namespace

refbridge::Result<mapping::Mapping> parse_mapping_spec(const std::filesystem::path& root,
                                                       const std::string& spec_rel_path, Diagnostics& diags) {
  REFBRIDGE_TRY(const YAML::Node doc, load_yaml_file(root, spec_rel_path, "mapping spec"));
  mapping::Mapping m;
  m.set_spec_file(spec_rel_path);
  SpecReader reader(spec_rel_path, diags);
  try {
    reader.read(doc, m);
  } catch (const YAML::Exception& e) {
    return yaml_error(spec_rel_path, e.mark, e.msg);
  }
  return m;
}

}  // namespace refbridge::codegen::mapping_detail
