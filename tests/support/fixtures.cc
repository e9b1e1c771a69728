// See fixtures.h.
#include "fixtures.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

namespace refbridge::test_support {

std::string read_fixture(const std::string& name) {
  const std::string path = std::string(REFBRIDGE_FIXTURES_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read fixture " << path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string without_trailing_commas(const std::string& text) {
  static const std::regex trailing_comma(R"(,(\s*[\}\]]))");
  return std::regex_replace(text, trailing_comma, "$1");
}

}  // namespace refbridge::test_support
