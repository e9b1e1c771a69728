#include "printer.h"

#include <stdexcept>

namespace refbridge::codegen {

void Printer::put(char c) {
  if (at_line_start_ && c != '\n') out_.append(static_cast<std::size_t>(indent_), ' ');
  out_.push_back(c);
  at_line_start_ = (c == '\n');
}

void Printer::print(std::string_view tmpl, const Vars& vars) {
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if (c != '$') {
      put(c);
      continue;
    }
    const std::size_t end = tmpl.find('$', i + 1);
    if (end == std::string_view::npos) throw std::logic_error("printer: unterminated $variable$ in template");
    const std::string_view key = tmpl.substr(i + 1, end - i - 1);
    if (key.empty()) {
      put('$');
    } else {
      const auto it = vars.find(key);
      if (it == vars.end()) throw std::logic_error("printer: unknown variable $" + std::string(key) + "$");
      for (char v : it->second) put(v);
    }
    i = end;
  }
}

void Printer::comment_lines(std::string_view text, std::string_view prefix) {
  // Trim trailing newlines/spaces so YAML block scalars do not leave empty comment lines.
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) return;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) {
      std::string bare(prefix);
      while (!bare.empty() && bare.back() == ' ') bare.pop_back();
      for (char ch : bare) put(ch);
      put('\n');
    }
    // Greedy word wrap at kWidth columns (a longer word stays whole).
    constexpr std::size_t kWidth = 100;
    const std::size_t room = kWidth > static_cast<std::size_t>(indent_) + prefix.size() + 20
                                 ? kWidth - static_cast<std::size_t>(indent_) - prefix.size()
                                 : 20;
    while (!line.empty()) {
      std::string_view chunk = line;
      if (chunk.size() > room) {
        std::size_t cut = chunk.rfind(' ', room);
        if (cut == std::string_view::npos || cut == 0) cut = chunk.find(' ');
        if (cut != std::string_view::npos) chunk = chunk.substr(0, cut);
      }
      for (char ch : prefix) put(ch);
      for (char ch : chunk) put(ch);
      put('\n');
      line.remove_prefix(chunk.size());
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    }
    start = nl + 1;
  }
}

}  // namespace refbridge::codegen
