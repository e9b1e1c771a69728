#pragma once
// Diagnostics of the mapping compiler: "file:line:col: message", collected (all errors of a spec
// are reported at once, in source order), plus "did you mean" suggestions by edit distance.

#include "ir.pb.h"

#include <string>
#include <string_view>
#include <vector>

namespace refbridge::codegen::mapping_detail {

struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  [[nodiscard]] std::string str() const;
};

class Diagnostics {
 public:
  void error(const ir::SourceLocation& at, std::string message);
  [[nodiscard]] bool empty() const { return list_.empty(); }
  [[nodiscard]] const std::vector<Diagnostic>& list() const { return list_; }
  /// All diagnostics sorted by (file, line, column), one per line (an identical one once), no trailing newline.
  [[nodiscard]] std::string render() const;

 private:
  std::vector<Diagnostic> list_;
};

/// Levenshtein distance (insert, delete, substitute; each cost 1), case-sensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `name` when it is close enough to be a plausible typo (distance at most
/// max(2, |name|/3); ties: the first in `candidates` order), else "".
std::string nearest(std::string_view name, const std::vector<std::string>& candidates);

/// " Did you mean 'x'?" or "" (see nearest()).
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace refbridge::codegen::mapping_detail
