// codegen.yaml `include_root:` (doc/sdk.md "Installed layout"): with `include_root: refbridge` the
// generated code includes its own headers as "refbridge/<dir>/..." (how they are installed);
// without it, as "<dir>/..." (refbridge_generate() for a consumer's schema). Everything else is
// the same output.
#include "driver.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using namespace refbridge::codegen;

namespace {

const GeneratedFile& file_named(const std::vector<GeneratedFile>& files, const std::string& path) {
  const auto it = std::find_if(files.begin(), files.end(), [&](const GeneratedFile& f) { return f.path == path; });
  REQUIRE(it != files.end());
  return *it;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("include_root prefixes every include of the API's own headers and of the mappings") {
  auto cfg = load_config(fs::path(REFBRIDGE_SOURCE_DIR) / "schemas/codegen.yaml");
  REQUIRE(cfg);
  CodegenConfig plain = cfg.value();
  plain.include_root.clear();
  CodegenConfig rooted = plain;
  rooted.include_root = "refbridge";
  auto a = generate_all(REFBRIDGE_SOURCE_DIR, plain);
  auto b = generate_all(REFBRIDGE_SOURCE_DIR, rooted);
  INFO((a ? std::string() : a.error().message));
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(a.value().size() == b.value().size());

  CHECK(file_named(b.value(), "generated/primero/client.h").content.find("#include \"refbridge/primero/models.h\"\n") !=
        std::string::npos);
  CHECK(file_named(b.value(), "generated/ping/fake.h").content.find("#include \"refbridge/ping/client.h\"\n") != std::string::npos);
  const auto& mapping = file_named(b.value(), "generated/mappings/progres_referral_to_primero_case.h").content;
  CHECK(mapping.find("#include \"refbridge/ping/models.h\"\n") != std::string::npos);
  CHECK(mapping.find("#include \"refbridge/primero/models.h\"\n") != std::string::npos);
  CHECK(file_named(b.value(), "generated/mappings/progres_referral_to_primero_case.cc")
            .content.find("#include \"refbridge/mappings/progres_referral_to_primero_case.h\"\n") != std::string::npos);

  // Apart from the includes (and the docs naming the headers), the output is the same.
  for (std::size_t i = 0; i < a.value().size(); ++i) {
    INFO(a.value()[i].path);
    REQUIRE(a.value()[i].path == b.value()[i].path);
    std::string expected = a.value()[i].content;
    for (const char* dir : {"ping/", "primero/", "mappings/"}) {
      expected = replace_all(expected, std::string("#include \"") + dir, std::string("#include \"refbridge/") + dir);
      expected = replace_all(expected, std::string("`") + dir, std::string("`refbridge/") + dir);
    }
    CHECK(b.value()[i].content == expected);
  }
}

TEST_CASE("include_root must be a scalar") {
  const fs::path dir = fs::temp_directory_path() / "refbridge-include-root-test";
  fs::create_directories(dir);
  {
    std::ofstream(dir / "codegen.yaml") << "include_root: [a, b]\napis: []\n";
  }
  auto cfg = load_config(dir / "codegen.yaml");
  REQUIRE_FALSE(cfg);
  CHECK(cfg.error().message.find("include_root: expected a path") != std::string::npos);
  fs::remove_all(dir);
}
