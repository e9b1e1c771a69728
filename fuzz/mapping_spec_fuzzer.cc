// libFuzzer target: mapping spec YAML (schemas/mappings/*.yaml format, codegen/src/mapping_spec.h)
// -> the mapping compiler with the real PING and Primero IR and the shipped Gambella profile
// -> a transform or an error (Result), never a crash, hang or escaping exception.
// The compiler reads specs from files: each input is written to <tmp>/fuzz-spec.yaml, where <tmp>
// (a fresh directory, removed at exit) links `schemas` to the repository's schemas/.
#include "driver.h"
#include "mapping_compiler.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Setup {
  fs::path root;  // the temporary root
  std::map<std::string, refbridge::codegen::ir::Api> apis;
};

Setup* g_setup = nullptr;

void remove_root() {
  std::error_code ec;
  if (g_setup != nullptr) fs::remove_all(g_setup->root, ec);
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "refbridge mapping fuzz setup: %s\n", what.c_str());
  std::exit(2);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const fs::path source = REFBRIDGE_SOURCE_DIR;
  auto config = refbridge::codegen::load_config(source / "schemas/codegen.yaml");
  if (!config) fail(config.error().message);
  auto apis = refbridge::codegen::load_apis(source, config.value());
  if (!apis) fail(apis.error().message);
  std::string dir = (fs::temp_directory_path() / "refbridge-fuzz-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) fail("cannot create a temporary directory");
  std::error_code ec;
  fs::create_directory_symlink(source / "schemas", fs::path(dir) / "schemas", ec);
  if (ec) fail("cannot link schemas/: " + ec.message());
  g_setup = new Setup{dir, std::move(apis).value()};
  std::atexit(remove_root);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(g_setup->root / "fuzz-spec.yaml", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto files = refbridge::codegen::generate_mapping(g_setup->root, "fuzz-spec.yaml", "schemas/profiles/gambella.yaml",
                                                    "generated/mappings", g_setup->apis);
  if (!files && files.error().message.empty()) {
    std::fprintf(stderr, "refbridge mapping fuzz: an error without a message\n");
    std::abort();
  }
  return 0;
}
