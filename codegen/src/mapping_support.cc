// Mapping compiler helpers. See mapping_compiler_impl.h.
#include "mapping_compiler_impl.h"

namespace refbridge::codegen::mapping_detail {

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

bool takes_text(const ir::TypeRef& t) { return t.kind() == ir::TypeRef::STRING || t.kind() == ir::TypeRef::ENUM; }

std::string text_into(const ir::TypeRef& t, const ir::Api& api, const std::string& expr) {
  return t.kind() == ir::TypeRef::ENUM ? cpp_type_of(t, api) + "::from_text(" + expr + ")" : expr;
}

std::string conv_cpp(const ConvType& t) { return t.optional ? "std::optional<" + t.cpp + ">" : t.cpp; }

std::string cpp_string_literal(std::string_view s) { return "\"" + names::escape_string(s) + "\""; }

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

}  // namespace refbridge::codegen::mapping_detail
