// See yaml_file.h.
#include "yaml_file.h"

#include <fstream>
#include <sstream>

namespace refbridge::codegen {

std::string yaml_position(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

Error yaml_error(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  return make_error(ErrorCode::kInvalidInput, yaml_position(file, mark) + message);
}

Result<YAML::Node> load_yaml_file(const std::filesystem::path& root, const std::string& rel_path, std::string_view what) {
  std::ifstream in(root / rel_path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, "cannot read " + std::string(what) + " '" + rel_path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return yaml_error(rel_path, e.mark, "invalid YAML: " + e.msg);
  }
}

}  // namespace refbridge::codegen
