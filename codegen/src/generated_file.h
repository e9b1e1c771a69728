#pragma once
// One emitted file: shared by the API emitters and the mapping compiler.

#include <string>

namespace refbridge::codegen {

struct GeneratedFile {
  std::string path;     // relative to --out-root, '/'-separated (e.g. "generated/ping/models.h")
  std::string content;  // exact bytes to write
};

}  // namespace refbridge::codegen
