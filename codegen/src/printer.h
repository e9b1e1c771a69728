#pragma once
// Text printer with `$var$` substitution and indentation, used by every emitter.
//   Printer p;
//   p.print("struct $name$ {\n", {{"name", "Case"}});
//   p.indent(); ... p.outdent();
// "$$" prints a literal '$'. An unknown variable is a bug in the emitter: it throws
// std::logic_error (caught at the top level of the generator and reported as kInternal).

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace refbridge::codegen {

class Printer {
 public:
  using Vars = std::map<std::string, std::string, std::less<>>;

  /// Appends `tmpl` with `$var$` replaced from `vars`; every line start is indented.
  void print(std::string_view tmpl, const Vars& vars = {});
  /// Appends each line of `text` behind `prefix` (e.g. "/// ") at the current indentation.
  /// Empty text prints nothing.
  void comment_lines(std::string_view text, std::string_view prefix = "/// ");
  void indent() { indent_ += 2; }
  void outdent() { indent_ = indent_ >= 2 ? indent_ - 2 : 0; }

  [[nodiscard]] const std::string& str() const { return out_; }

 private:
  void put(char c);
  std::string out_;
  int indent_ = 0;
  bool at_line_start_ = true;
};

}  // namespace refbridge::codegen
