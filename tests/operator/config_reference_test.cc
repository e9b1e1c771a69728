// The configuration reference doc/configuration.md is generated from the key table
// (workflows/common/config_keys.cc): this drift test writes it afresh to a temporary file and
// compares it with the committed one, byte for byte.
#include "config_keys.h"
#include "operator_support.h"

#include <catch2/catch.hpp>

#include <fstream>

using refbridge::testing::OperatorDir;
using refbridge::testing::read_text;

TEST_CASE("config reference: doc/configuration.md is what the key table generates") {
  OperatorDir dir;
  const std::string fresh = dir.write("configuration.md", refbridge::workflows::config_reference_markdown());
  const std::string committed = std::string(REFBRIDGE_SOURCE_DIR) + "/doc/configuration.md";
  INFO("regenerate it: cmake --build --preset asan --target config-reference");
  CHECK(read_text(fresh) == read_text(committed));
}

TEST_CASE("config reference: every key of the table appears once, with its environment override") {
  const std::string md = refbridge::workflows::config_reference_markdown();
  for (const auto& k : refbridge::workflows::config_keys()) {
    INFO(k.key);
    CHECK(md.find("`" + std::string(k.key)) != std::string::npos);
    if (!k.env.empty()) CHECK(md.find("`" + std::string(k.env) + "`") != std::string::npos);
  }
  CHECK(md.find("REFBRIDGE_PRIMERO_PASSWORD") != std::string::npos);
}

TEST_CASE("config: edit distance counts an adjacent transposition as one") {
  using refbridge::workflows::edit_distance;
  CHECK(edit_distance("concurency", "concurrency") == 1);
  CHECK(edit_distance("synk", "sync") == 1);
  CHECK(edit_distance("ledegr", "ledger") == 1);
  CHECK(edit_distance("", "abc") == 3);
}
