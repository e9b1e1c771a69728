#include "names.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace refbridge::codegen::names {
namespace {

constexpr std::array<std::string_view, 96> kKeywords = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
    "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const",
    "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default",
    "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
    "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace",
    "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected",
    "public", "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static", "static_assert",
    "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef",
    "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while",
    "xor", "xor_eq", "import", "module", "final", "override"};

// Names that C, POSIX or glibc headers define as macros (or that break as members when they do).
constexpr std::array<std::string_view, 22> kMacroNames = {
    "assert", "errno", "NULL", "EOF", "major", "minor", "makedev", "stdin", "stdout", "stderr", "unix",
    "linux", "i386", "BUFSIZ", "FILENAME_MAX", "TRUE", "FALSE", "DOMAIN", "OVERFLOW", "UNDERFLOW", "offsetof", "setjmp"};

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
bool is_ident_char(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }

// Splits into words at non-identifier characters, underscores and case changes.
std::vector<std::string> words(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!is_alpha(c) && !is_digit(c)) {
      flush();
      continue;
    }
    if (!cur.empty() && is_upper(c)) {
      const char prev = name[i - 1];
      const bool next_lower = i + 1 < name.size() && is_lower(name[i + 1]);
      if (is_lower(prev) || is_digit(prev) || (is_upper(prev) && next_lower)) flush();
    }
    cur.push_back(c);
  }
  flush();
  return out;
}

}  // namespace

bool is_cpp_keyword(std::string_view word) {
  return std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end();
}

bool is_macro_name(std::string_view word) {
  return std::find(kMacroNames.begin(), kMacroNames.end(), word) != kMacroNames.end();
}

std::string legalize(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  for (char c : name) out.push_back(is_ident_char(c) ? c : '_');
  if (out.empty()) return "_";
  // Reserved identifiers: leading "__" or "_" + capital, and "__" anywhere.
  if (out.size() >= 2 && out[0] == '_' && (out[1] == '_' || is_upper(out[1]))) {
    std::size_t n = 0;
    while (n < out.size() && out[n] == '_') ++n;
    out = "u_" + out.substr(n);
  }
  for (std::size_t pos = out.find("__"); pos != std::string::npos; pos = out.find("__", pos)) out.erase(pos, 1);
  if (out == "u_") out = "u";
  if (is_digit(out[0])) out.insert(out.begin(), '_');
  if (is_cpp_keyword(out) || is_macro_name(out)) out.push_back('_');
  return out;
}

std::string to_snake_case(std::string_view name) {
  std::string out;
  for (const auto& w : words(name)) {
    if (!out.empty()) out.push_back('_');
    for (char c : w) out.push_back(lower(c));
  }
  return legalize(out);
}

std::string to_pascal_case(std::string_view name) {
  std::string out;
  for (const auto& w : words(name)) {
    out.push_back(upper(w[0]));
    out.append(w.substr(1));
  }
  return legalize(out);
}

std::string enumerator(std::string_view value) {
  std::string out = "k";
  for (const auto& w : words(value)) {
    out.push_back(upper(w[0]));
    for (std::size_t i = 1; i < w.size(); ++i) out.push_back(lower(w[i]));
  }
  if (out == "k") return "kEmpty";
  if (out == "kUnknown") return "kUnknown_";  // kUnknown is OpenEnum's fallback
  return out;
}

namespace {

// Backslash-escapes '"' and '\\'; a control character (< 0x20) is written by `control`.
template <class Control>
std::string escape_with(std::string_view text, Control control) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      control(out, u);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

std::string escape_string(std::string_view text) {
  return escape_with(text, [](std::string& out, unsigned char u) {
    out += "\\x";
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 15]);
    out += "\"\"";  // ends the hex escape: "\x0a" "b" cannot swallow a following hex digit
  });
}

std::string escape_json(std::string_view text) {
  return escape_with(text, [](std::string& out, unsigned char u) {
    out += "\\u00";
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 15]);
  });
}

}  // namespace refbridge::codegen::names
