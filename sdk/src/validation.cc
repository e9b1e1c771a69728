#include "refbridge/validation.h"

namespace refbridge {

std::string to_string(const std::vector<Violation>& violations) {
  std::string out;
  for (const auto& v : violations) {
    out += v.path;
    out += ": ";
    out += v.message;
    out += " (";
    out += v.keyword;
    out += ")\n";
  }
  return out;
}

namespace validation {
namespace {

bool is_identifier(std::string_view name) noexcept {
  if (name.empty()) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name.front())) return false;
  for (const char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool is_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alnum(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 5322 atext (dot-atom local part).
bool is_atext(char c) noexcept {
  if (is_alnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '/':
    case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

Context::Segment Context::member(std::string_view json_name) {
  const std::size_t length = path_.size();
  if (is_identifier(json_name)) {
    path_ += '.';
    path_ += json_name;
  } else {
    path_ += "['";
    for (const char c : json_name) {
      if (c == '\'' || c == '\\') path_ += '\\';
      path_ += c;
    }
    path_ += "']";
  }
  return Segment(*this, length);
}

Context::Segment Context::index(std::size_t i) {
  const std::size_t length = path_.size();
  path_ += '[';
  path_ += std::to_string(i);
  path_ += ']';
  return Segment(*this, length);
}

void Context::add(std::string_view keyword, std::string_view message) {
  violations_.push_back(Violation{path_, std::string(keyword), std::string(message)});
}

void Context::add_member(std::string_view json_name, std::string_view keyword, std::string_view message) {
  const auto segment = member(json_name);
  add(keyword, message);
}

std::size_t code_points(std::string_view text) noexcept {
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
  }
  return n;
}

bool is_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
    } else if (!is_hex(text[i])) {
      return false;
    }
  }
  return true;
}

bool is_email(std::string_view text) noexcept {
  if (text.size() > 254) return false;
  const std::size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  // local: dot-atom
  if (local.front() == '.' || local.back() == '.') return false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const char c = local[i];
    if (c == '.') {
      if (local[i + 1] == '.') return false;  // i + 1 < size: local.back() != '.'
    } else if (!is_atext(c)) {
      return false;
    }
  }
  // domain: LDH labels of 1..63 characters, at least two labels.
  std::size_t labels = 0;
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

bool is_lowercase(std::string_view text) noexcept {
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

}  // namespace validation
}  // namespace refbridge
